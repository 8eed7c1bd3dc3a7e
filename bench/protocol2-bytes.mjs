// Bytes a client receives per minute from the demo election, protocol 1 against protocol 2
// (deltas), measured side by side on one server. Run from the repository root after mvn package:
//   node bench/protocol2-bytes.mjs [seconds=60] [clients=20] [rate=5]
// Prints one JSON line. Clients read as fast as they can: this measures bytes, not freshness.
import { startDemo, WebSocket } from "./demo.mjs";

const seconds = Number(process.argv[2] ?? 60);
const clients = Number(process.argv[3] ?? 20);
const rate = String(process.argv[4] ?? 5);
const demo = await startDemo(rate);
const url = demo.url;

const counts = { 1: [], 2: [] };
let counting = false;
const sockets = [];
for (const protocol of [1, 2]) {
  for (let i = 0; i < clients; i++) {
    const ws = new WebSocket(url);
    const slot = { bytes: 0, messages: 0, deltas: 0 };
    counts[protocol].push(slot);
    ws.on("open", () => {
      if (protocol === 2) {
        ws.send(JSON.stringify({ event: "hello", payload: { protocol: 2 } }));
        ws.send(JSON.stringify({ event: "subscribe", payload: { stats: ["*"] } }));
      }
    });
    ws.on("message", (data) => {
      if (!counting) return;
      slot.bytes += data.length;
      slot.messages += 1;
      if (protocol === 2) slot.deltas += (String(data).match(/"base":/g) || []).length;
    });
    sockets.push(ws);
  }
}
await new Promise((r) => setTimeout(r, 5000)); // connected, snapshots received
counting = true;
await new Promise((r) => setTimeout(r, seconds * 1000));
counting = false;
const perMinute = (slots, key) => (slots.reduce((s, x) => s + x[key], 0) / slots.length) * (60 / seconds);
const result = {
  seconds, clients, rate: Number(rate),
  protocol1: { bytesPerMinute: Math.round(perMinute(counts[1], "bytes")), framesPerMinute: Math.round(perMinute(counts[1], "messages")) },
  protocol2: { bytesPerMinute: Math.round(perMinute(counts[2], "bytes")), framesPerMinute: Math.round(perMinute(counts[2], "messages")), deltasPerMinute: Math.round(perMinute(counts[2], "deltas")) },
};
result.ratio = Number((result.protocol1.bytesPerMinute / result.protocol2.bytesPerMinute).toFixed(2));
console.log(JSON.stringify(result));
sockets.forEach((s) => s.close());
demo.stop();
