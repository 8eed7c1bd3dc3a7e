// Bytes of a reconnect storm, protocol 2 with resume against without: CLIENTS clients connect to
// the demo election, then all drop and reconnect at once; half say which versions they hold
// (resume), half do not. Counts what each receives to be current again (hello, available,
// milestones and the first message of each stat after reconnecting), and all it receives in the
// 2 s after, updates included.
//   node bench/reconnect-storm.mjs [clients=200] [rate=5]
// Run from the repository root after mvn package. Prints one JSON line.
import { startDemo, WebSocket } from "./demo.mjs";

const clients = Number(process.argv[2] ?? 200);
const rate = String(process.argv[3] ?? 5);
const demo = await startDemo(rate);
const url = demo.url;

function open(client, resume) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    client.ws = ws;
    ws.on("open", () => {
      ws.send(JSON.stringify({ event: "hello", payload: { protocol: 2 } }));
      if (resume && client.versions.size > 0) {
        const versions = {};
        client.versions.forEach((v, e) => (versions[e.replace(/^stats:/, "")] = v));
        ws.send(JSON.stringify({ event: "resume", payload: { versions } }));
      }
      ws.send(JSON.stringify({ event: "subscribe", payload: { stats: ["*"] } }));
      resolve();
    });
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data));
      const parts = frame.event === "batch" ? frame.payload : [frame];
      if (client.counting) {
        client.bytes += data.length;
        // A frame counts toward catching up if it brings a stat not seen since reconnecting.
        const news = parts.some((m) => !m.event.startsWith("stats:") || !client.seen.has(m.event));
        if (news) client.catchUp += data.length;
        parts.forEach((m) => m.event.startsWith("stats:") && client.seen.add(m.event));
      }
      for (const m of parts) if (typeof m.version === "string") client.versions.set(m.event, m.version);
    });
  });
}

const all = [];
for (let i = 0; i < clients; i++) all.push({ versions: new Map(), bytes: 0, catchUp: 0, seen: new Set(), counting: false, resume: i % 2 === 0 });
await Promise.all(all.map((c) => open(c, false)));
await new Promise((r) => setTimeout(r, 3000));
// The storm: everyone drops and comes back at once.
await Promise.all(all.map((c) => new Promise((r) => { c.ws.once("close", r); c.ws.terminate(); })));
all.forEach((c) => (c.counting = true));
await Promise.all(all.map((c) => open(c, c.resume)));
await new Promise((r) => setTimeout(r, 2000));
const mean = (xs, key) => Math.round(xs.reduce((s, c) => s + c[key], 0) / xs.length);
const yes = all.filter((c) => c.resume);
const no = all.filter((c) => !c.resume);
console.log(JSON.stringify({ clients, rate: Number(rate),
  catchUpBytesWithResume: mean(yes, "catchUp"), catchUpBytesWithout: mean(no, "catchUp"),
  catchUpRatio: Number((mean(no, "catchUp") / mean(yes, "catchUp")).toFixed(2)),
  twoSecondsWithResume: mean(yes, "bytes"), twoSecondsWithout: mean(no, "bytes") }));
all.forEach((c) => c.ws.terminate());
demo.stop();
