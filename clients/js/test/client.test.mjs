// The client against a real server: the runnable jar's demo (its own Redis, a simulated
// election), started here and stopped at the end. Build the jar first (mvn package).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket, { WebSocketServer } from "ws";
import { Client, connect } from "../src/arithmospora.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const jar = join(here, "..", "..", "..", "arithmospora-cli", "target", "arithmospora.jar");
let demo;
let websocketUrl;
let dashboardUrl;

before(async () => {
  assert.ok(existsSync(jar), `the runnable jar (mvn package): ${jar}`);
  demo = spawn("java", ["-jar", jar, "demo", "--http-port", "0", "--ws-port", "0", "--bind", "127.0.0.1", "--rate", "20"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the demo did not start: " + out)), 60000);
    demo.stdout.on("data", (chunk) => {
      out += chunk;
      const ws = out.match(/Websocket:\s+(\S+)/);
      const page = out.match(/Dashboard:\s+(\S+)/);
      if (ws && page) {
        websocketUrl = ws[1];
        dashboardUrl = page[1];
        clearTimeout(timer);
        resolve();
      }
    });
    demo.on("exit", (code) => reject(new Error("the demo exited with " + code + ": " + out)));
  });
});

after(async () => {
  if (demo && demo.exitCode === null) {
    const exited = new Promise((resolve) => demo.on("exit", resolve));
    demo.kill("SIGTERM");
    await exited;
  }
});

/** A frame's messages: a protocol-2 batch's parts, or the message itself. */
function parts(m) {
  return m.event === "batch" ? m.payload : [m];
}

function until(condition, what, ms = 15000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (condition()) return resolve();
      if (Date.now() - started > ms) return reject(new Error("timed out waiting for " + what));
      setTimeout(poll, 20);
    };
    poll();
  });
}

test("it gets available, then every stat, and keeps the latest of each", async () => {
  const client = new Client(websocketUrl, { WebSocket });
  const states = [];
  client.onState((s) => states.push(s));
  const available = await new Promise((resolve) => client.once("available", resolve));
  const keys = Object.entries(available).flatMap(([group, stats]) => stats.map((k) => `stats:${group}:${k}`));
  assert.ok(keys.length > 5);
  await until(() => keys.every((k) => client.latest(k) !== undefined), "every stat");
  const total = client.latest("stats:proportion:total");
  assert.equal(typeof total.data.percentage, "number");
  assert.deepEqual(Object.keys(client.stats()).sort(), keys.sort());
  assert.deepEqual(states.slice(0, 2), ["connecting", "open"]);
  client.close();
  assert.equal(client.state, "closed");
});

test("on returns off, off stops a listener, once hears one message, late listeners get the latest", async () => {
  const client = connect(websocketUrl, { WebSocket });
  let heard = 0;
  const off = client.on("stats:proportion:total", () => heard++);
  await until(() => heard >= 2, "two updates of the total");
  off();
  const stopped = heard;
  let onceHeard = 0;
  client.once("*", () => onceHeard++);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(heard, stopped);
  assert.equal(onceHeard, 1);
  let late;
  client.on("stats:proportion:total", (p) => (late = late ?? p));
  assert.equal(late, client.latest("stats:proportion:total"), "called at once with the latest");
  client.close();
});

test("the server serves the script-tag build of this package", async () => {
  const served = await (await fetch(new URL("arithmospora.js", dashboardUrl))).text();
  assert.equal(served, readFileSync(join(here, "..", "dist", "arithmospora.js"), "utf8"));
  const g = {};
  new Function("window", "globalThis", served)(undefined, g);
  assert.equal(typeof g.Arithmospora.Client, "function");
});

test("a silent connection is dropped after the heartbeat timeout, and 'online' reconnects at once", async () => {
  const silent = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => silent.on("listening", r));
  let connections = 0;
  silent.on("connection", () => connections++);
  const events = new EventTarget();
  const client = new Client(`ws://127.0.0.1:${silent.address().port}/x`, {
    WebSocket,
    heartbeatTimeout: 300,
    minDelay: 60000,
    maxDelay: 60000,
    events,
  });
  await until(() => connections === 1 && client.state === "open", "the first connection");
  await until(() => client.state === "reconnecting", "the heartbeat timeout", 5000);
  assert.ok(client.nextAttemptAt - Date.now() > 20000, "the next attempt is the backoff's, far off");
  events.dispatchEvent(new Event("online"));
  await until(() => connections === 2, "a reconnect on 'online'", 5000);
  client.close();
  await new Promise((r) => silent.close(r));
});

test("a private source's token is offered as a subprotocol, asked for again before each connection", async () => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => server.on("listening", r));
  const offers = [];
  server.on("connection", (ws, request) => {
    const offered = request.headers["sec-websocket-protocol"].split(",").map((p) => p.trim());
    offers.push([request.url, ...offered].join(" "));
    // As the server does when a token expires.
    if (offers.length === 1) ws.close(1008, "token expired");
  });
  let issued = 0;
  const client = new Client(`ws://127.0.0.1:${server.address().port}/results`, {
    WebSocket,
    minDelay: 10,
    maxDelay: 20,
    token: async () => `tok.${++issued}`,
  });
  await until(() => offers.length === 2, "a reconnect after the 1008");
  assert.deepEqual(offers, ["/results arithmospora-token tok.1", "/results arithmospora-token tok.2"]);
  client.close();
  await new Promise((r) => server.close(r));
});

test("protocol 2: the server answers the hello, sends the milestones so far and versioned stats", async () => {
  const client = new Client(websocketUrl, { WebSocket });
  const hello = await new Promise((resolve) => client.once("hello", resolve));
  assert.equal(hello.protocol, 2);
  const milestones = await new Promise((resolve) => client.once("milestones", resolve));
  assert.ok(Array.isArray(milestones));
  await until(() => client.latest("stats:proportion:total") !== undefined, "the total");
  assert.equal(client.protocol, 2);
  assert.match(client.version("stats:proportion:total"), /^[0-9a-f]{16}$/);
  assert.deepEqual(client.milestones().slice(0, milestones.length), milestones);
  client.close();
});

test("protocol 2 with a subscription gets only those stats; protocol 1 gets all", async () => {
  const only = new Client(websocketUrl, { WebSocket, subscribe: ["proportion:total"] });
  const all = new Client(websocketUrl, { WebSocket, protocol: 1 });
  await until(() => only.latest("stats:proportion:total") !== undefined, "the total");
  const available = await new Promise((resolve) => all.once("available", resolve));
  const keys = Object.entries(available).flatMap(([g, stats]) => stats.map((k) => `stats:${g}:${k}`));
  await until(() => keys.every((k) => all.latest(k) !== undefined), "every stat on protocol 1");
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(Object.keys(only.stats()), ["stats:proportion:total"]);
  assert.equal(all.protocol, 1);
  assert.equal(all.version("stats:proportion:total"), undefined);
  only.close();
  all.close();
});

test("against a server that ignores the hello (the Go program), it stays on protocol 1", async () => {
  const goEra = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => goEra.on("listening", r));
  const heard = [];
  goEra.on("connection", (ws) => {
    ws.on("message", (m) => heard.push(String(m)));
    ws.send(JSON.stringify({ event: "available", payload: { proportion: ["total"] } }));
    ws.send(JSON.stringify({ event: "stats:proportion:total", payload: { name: "total", data: { current: 1, total: 2, percentage: 50 }, dataPoints: {} } }));
  });
  const client = new Client(`ws://127.0.0.1:${goEra.address().port}/election`, { WebSocket });
  await until(() => client.latest("stats:proportion:total") !== undefined, "the stat");
  await until(() => heard.length === 2, "the hello and the subscription");
  assert.equal(JSON.parse(heard[0]).event, "hello");
  assert.equal(client.protocol, 1);
  assert.equal(client.latest("stats:proportion:total").data.percentage, 50);
  client.close();
  await new Promise((r) => goEra.close(r));
});

test("protocol 2: deltas applied give what a client that gets whole copies holds", async () => {
  const early = new Client(websocketUrl, { WebSocket });
  const deltas = [];
  early.socket.addEventListener("message", (e) => {
    for (const m of parts(JSON.parse(String(e.data)))) if (m.base) deltas.push(m);
  });
  await until(() => deltas.length >= 5, "some deltas");
  // A client that connects now gets whole copies; when both hold the same version, the
  // documents must be the same.
  const late = new Client(websocketUrl, { WebSocket });
  const event = "stats:proportion:total";
  await until(
    () => late.version(event) !== undefined && late.version(event) === early.version(event),
    "both holding the same version of the total",
  );
  assert.deepEqual(early.latest(event), late.latest(event));
  assert.ok(deltas.some((d) => d.event === event));
  early.close();
  late.close();
});

test("protocol 2: after a reconnect it resumes, and is sent only the stats that changed", async () => {
  const client = new Client(websocketUrl, { WebSocket, minDelay: 50, maxDelay: 100 });
  const available = await new Promise((resolve) => client.once("available", resolve));
  const keys = Object.entries(available).flatMap(([g, stats]) => stats.map((k) => `stats:${g}:${k}`));
  await until(() => keys.every((k) => client.version(k) !== undefined), "every stat once");
  const first = client.socket;
  first.close();
  await until(() => client.socket !== first && client.state === "open", "the reconnect");
  const again = [];
  client.socket.addEventListener("message", (e) => {
    for (const m of parts(JSON.parse(String(e.data)))) if (m.event.startsWith("stats:")) again.push(m);
  });
  await new Promise((r) => setTimeout(r, 400));
  // Every stat of the demo changes with each vote, so each comes again; but the first of each
  // after the reconnect is a delta against what the client held (without resume, it is whole).
  const firsts = new Map();
  for (const m of again) if (!firsts.has(m.event)) firsts.set(m.event, m);
  const deltas = [...firsts.values()].filter((m) => m.base);
  assert.ok(deltas.length >= 1, `a first message after the reconnect is a delta: ${[...firsts.keys()]}`);
  for (const k of keys) assert.ok(client.latest(k) !== undefined, k);
  client.close();
});

test("protocol 2: a batch frame's parts are each handled as if they came alone", async () => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => server.on("listening", r));
  server.on("connection", (ws) => {
    ws.once("message", () => {
      const whole = (name, current) => ({ event: `stats:proportion:${name}`, version: `v-${name}-1`, asOf: "2026-03-03T12:00:00.000Z",
        payload: { name, data: { current, total: 10 }, dataPoints: {} } });
      ws.send(JSON.stringify({ event: "hello", payload: { protocol: 2, features: [] } }));
      ws.send(JSON.stringify({ event: "batch", payload: [whole("a", 1), whole("b", 2)] }));
      ws.send(JSON.stringify({ event: "batch", payload: [
        { event: "stats:proportion:a", version: "v-a-2", base: "v-a-1", asOf: "2026-03-03T12:00:01.000Z", payload: { data: { current: 5 } } },
        { event: "milestone", payload: { name: "five", message: "five!" } },
      ] }));
    });
  });
  const client = new Client(`ws://127.0.0.1:${server.address().port}/x`, { WebSocket });
  const order = [];
  client.on("*", (_, e) => order.push(e));
  await until(() => client.version("stats:proportion:a") === "v-a-2", "the delta in the second batch");
  assert.deepEqual(client.latest("stats:proportion:a").data, { current: 5, total: 10 });
  assert.equal(client.latest("stats:proportion:b").data.current, 2);
  assert.equal(client.milestones().at(-1).name, "five");
  assert.deepEqual(order.filter((e) => e !== "hello"), ["stats:proportion:a", "stats:proportion:b", "stats:proportion:a", "milestone"]);
  client.close();
  await new Promise((r) => server.close(r));
});
