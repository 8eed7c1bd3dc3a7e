// An independent audience: N websocket clients of the 'ws' package in one Node.js process (one
// thread, as a crowd of slow devices is), each parsing every message with JSON.parse and keeping
// the newest 'loadstamp' it has seen. It measures what the Java load tool measures, with none of
// its code: the freshness of each stamped message, the age of what each client holds (sampled
// every 100 ms), messages per client, and drops with their close codes.
//
//   node audience.mjs URL CLIENTS WRITE_SECONDS SETTLE_SECONDS
//   e.g. node audience.mjs ws://127.0.0.1:8090/loadtest 5000 20 15
//   DEFLATE=1 offers permessage-deflate, as every browser does (off by default: the Go server
//   never compressed, and its figures were measured without).
//
// Once every client is in, it waits for the first new stamp; ages are sampled for WRITE_SECONDS
// from then (while a writer such as `arithmospora loadtest --clients 1 ...` stamps 'loadstamp'),
// and it prints one JSON object SETTLE_SECONDS later.
import WebSocket from 'ws';

const [url, clientsArg, writeArg, settleArg] = process.argv.slice(2);
const clients = Number(clientsArg);
const seconds = Number(writeArg);
const settle = Number(settleArg);
if (!url || !(clients > 0) || !(seconds > 0) || !(settle >= 0)) {
  console.error('usage: node audience.mjs URL CLIENTS WRITE_SECONDS SETTLE_SECONDS');
  process.exit(2);
}

const nowMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const state = [];
const freshness = [];
const ages = [];
const closes = {};
let opened = 0;
let messages = 0;
let firstStamp = 0;
let writing = false;

function connect(i) {
  const c = { lastStamp: 0, messages: 0, open: false };
  state[i] = c;
  const ws = new WebSocket(url, { perMessageDeflate: process.env.DEFLATE === '1' });
  ws.on('open', () => { c.open = true; opened++; if (i + 1 < clients) setImmediate(() => connect(i + 1)); });
  ws.on('message', data => {
    const m = JSON.parse(data);
    c.messages++;
    messages++;
    const stamp = m.event === 'stats:other:loadstamp' ? m.payload.data.loadstamp : undefined;
    if (typeof stamp === 'number' && stamp !== c.lastStamp) {
      c.lastStamp = stamp;
      if (firstStamp && stamp >= firstStamp) {
        freshness.push(nowMicros() - stamp);
        if (!writing) startSampling();
      }
    }
  });
  ws.on('close', code => { if (c.open) { closes[code] = (closes[code] || 0) + 1; } c.open = false; });
  ws.on('error', () => {});
}

function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))] / 1000;
}

function startSampling() {
  writing = true;
  const sampler = setInterval(() => {
    const now = nowMicros();
    for (const c of state) {
      if (c.open && c.lastStamp) ages.push(now - Math.max(c.lastStamp, firstStamp));
    }
  }, 100);
  setTimeout(() => clearInterval(sampler), seconds * 1000);
  setTimeout(report, (seconds + settle) * 1000);
}

function report() {
  // Stale: not holding the newest stamp any client received (the writer's last, once settled).
  const stamps = state.map(c => c.lastStamp);
  const newest = stamps.reduce((a, b) => Math.max(a, b), 0);
  console.log(JSON.stringify({
    tool: 'node ws ' + process.version,
    clients,
    seconds,
    messagesPerClient: messages / clients,
    freshnessSamples: freshness.length,
    freshnessP50Ms: percentile(freshness, 50),
    freshnessP99Ms: percentile(freshness, 99),
    freshnessMaxMs: percentile(freshness, 100),
    ageP50Ms: percentile(ages, 50),
    ageP99Ms: percentile(ages, 99),
    ageMaxMs: percentile(ages, 100),
    closedByCode: closes,
    staleAtEnd: stamps.filter(s => s !== newest).length,
  }));
  process.exit(0);
}

connect(0);
const started = setInterval(() => {
  if (opened < clients) return;
  clearInterval(started);
  console.error(`CONNECTED ${clients}`);
  // The clock starts once everyone is in: stamps older than this count as written now.
  firstStamp = nowMicros();
}, 50);
