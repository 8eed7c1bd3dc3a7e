// Bytes a client receives per minute from the demo election: protocol 1 against protocol 2
// (deltas, batch frames), each with and without permessage-deflate, measured side by side on one
// server. Bytes are counted on the socket (what crosses the network: frames, compressed or not),
// and the text of the messages once inflated. Run from the repository root after mvn package:
//   node bench/protocol2-bytes.mjs [seconds=60] [clients=20] [rate=5]
// Prints one JSON line. Clients read as fast as they can: this measures bytes, not freshness.
import { startDemo, WebSocket } from "./demo.mjs";

const seconds = Number(process.argv[2] ?? 60);
const clients = Number(process.argv[3] ?? 20);
const rate = String(process.argv[4] ?? 5);
const demo = await startDemo(rate);
const url = demo.url;

const groups = {
  protocol1: { protocol: 1, deflate: false },
  protocol1Deflate: { protocol: 1, deflate: true },
  protocol2: { protocol: 2, deflate: false },
  protocol2Deflate: { protocol: 2, deflate: true },
};
let counting = false;
const sockets = [];
for (const [name, g] of Object.entries(groups)) {
  g.slots = [];
  for (let i = 0; i < clients; i++) {
    // Without it the ws package offers permessage-deflate, as every browser does.
    const ws = new WebSocket(url, { perMessageDeflate: g.deflate });
    const slot = { wire: 0, text: 0, frames: 0, deltas: 0, negotiated: false };
    g.slots.push(slot);
    ws.on("open", () => {
      slot.negotiated = /permessage-deflate/.test(ws.extensions);
      if (g.protocol === 2) {
        ws.send(JSON.stringify({ event: "hello", payload: { protocol: 2 } }));
        ws.send(JSON.stringify({ event: "subscribe", payload: { stats: ["*"] } }));
      }
    });
    ws.on("message", (data) => {
      if (!counting) return;
      slot.text += data.length;
      slot.frames += 1;
      if (g.protocol === 2) slot.deltas += (String(data).match(/"base":/g) || []).length;
    });
    g.sockets = g.sockets || [];
    g.sockets.push(ws);
    sockets.push(ws);
  }
  g.name = name;
}
await new Promise((r) => setTimeout(r, 5000)); // connected, snapshots received
const readAt = (g) => g.sockets.map((ws) => ws._socket.bytesRead);
const start = Object.fromEntries(Object.entries(groups).map(([n, g]) => [n, readAt(g)]));
counting = true;
await new Promise((r) => setTimeout(r, seconds * 1000));
counting = false;
const result = { seconds, clients, rate: Number(rate) };
for (const [name, g] of Object.entries(groups)) {
  const end = readAt(g);
  const wire = end.reduce((s, b, i) => s + (b - start[name][i]), 0) / clients;
  const avg = (key) => g.slots.reduce((s, x) => s + x[key], 0) / clients;
  result[name] = {
    wireBytesPerMinute: Math.round(wire * (60 / seconds)),
    textBytesPerMinute: Math.round(avg("text") * (60 / seconds)),
    framesPerMinute: Math.round(avg("frames") * (60 / seconds)),
    deltasPerMinute: Math.round(avg("deltas") * (60 / seconds)),
    deflateNegotiated: g.slots.filter((s) => s.negotiated).length,
  };
}
const base = result.protocol1.wireBytesPerMinute;
result.ratioOverProtocol1 = Object.fromEntries(
  Object.keys(groups).map((n) => [n, Number((base / result[n].wireBytesPerMinute).toFixed(2))]),
);
console.log(JSON.stringify(result));
sockets.forEach((s) => s.close());
demo.stop();
