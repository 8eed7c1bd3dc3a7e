/*
 * arithmospora — a small client for Arithmospora servers, for browsers and Node (no dependencies).
 *
 *   import { Client } from "arithmospora";
 *   const client = new Client("wss://stats.example.org:8443/election2026");
 *   const off = client.on("stats:proportion:total", (stat) => show(stat.data.percentage));
 *   client.once("available", (groups) => layout(groups));
 *   client.onState((state) => (badge.textContent = state)); // connecting | open | reconnecting | closed
 *
 * It keeps the latest payload of every event (latest(event)); a listener added after a stat
 * arrived is called at once with it, so a late listener never misses state. It reconnects with
 * exponential backoff and jitter, at once when the browser comes back online or the page becomes
 * visible, and when nothing at all has arrived for heartbeatTimeout (a dead connection that never
 * said so).
 *
 * It speaks protocol 2 where the server does (docs/protocol.md): it says hello and subscribes to
 * options.subscribe (every stat by default) as soon as it connects, and learns the milestones met
 * so far (milestones()). A server that does not answer the hello (the Go program) ignores both
 * messages and sends every stat anyway, so the same code works against either.
 */

/** The subprotocol that says the next one offered is the token; the server answers with it. */
const TOKEN_PROTOCOL = "arithmospora-token";

const DEFAULTS = { minDelay: 500, maxDelay: 15000, heartbeatTimeout: 45000, protocol: 2 };

export class Client {
  /**
   * @param {string} url ws:// or wss:// URL of one source, e.g. ws://host:8080/election
   * @param {object} [options] minDelay / maxDelay (ms) of the reconnect backoff; heartbeatTimeout
   *   (ms of silence before reconnecting; 0 turns it off); WebSocket: a WebSocket constructor (for
   *   Node before 22, or tests); events: an EventTarget for "online" and "visibilitychange" (the
   *   window and document by default); protocol: 2 (the default) or 1 to send nothing; subscribe:
   *   the stats to receive as group:key, ["*"] (every stat) by default; maxRate: at most this many
   *   messages a second per stat (protocol 2 only); resume: false to get every stat whole again
   *   after a reconnect (by default it says which versions it holds, and gets only what changed);
   *   token: for a private source, the token (a string) or a function returning one or a promise
   *   of one, called before every connection (offered as the subprotocols "arithmospora-token"
   *   and the token), so that a page can fetch a fresh token when the server closes an expired
   *   one (1008)
   */
  constructor(url, options = {}) {
    this.url = url;
    this.minDelay = options.minDelay ?? DEFAULTS.minDelay;
    this.maxDelay = options.maxDelay ?? DEFAULTS.maxDelay;
    this.heartbeatTimeout = options.heartbeatTimeout ?? DEFAULTS.heartbeatTimeout;
    this.wantedProtocol = options.protocol ?? DEFAULTS.protocol;
    this.subscription = options.subscribe ?? ["*"];
    this.maxRate = options.maxRate;
    this.resume = options.resume ?? true;
    this.token = options.token;
    /** The protocol the server speaks with this client: 2 once it answered the hello, else 1. */
    this.protocol = 1;
    this.versions = new Map();
    this.milestonesMet = [];
    this.WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.WebSocketImpl !== "function") {
      throw new TypeError("no WebSocket here: pass options.WebSocket (e.g. the 'ws' package)");
    }
    this.listeners = new Map();
    this.stateListeners = new Set();
    this.latestByEvent = new Map();
    this.available = null;
    this.state = "connecting";
    this.attempt = 0;
    this.nextAttemptAt = null;
    this.closedByUser = false;
    this.wake = () => {
      if (this.state === "reconnecting") this.reconnectNow();
    };
    this.watchEnvironment(options.events);
    this.connect();
  }

  /**
   * Calls fn(payload, event) for each message of event ("*": every event). Returns a function
   * that removes the listener, as off(event, fn) does.
   */
  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(fn);
    if (event === "*") {
      for (const [e, payload] of [...this.latestByEvent]) {
        if (!this.listeners.get("*").has(fn)) break; // a once() listener is done
        fn(payload, e);
      }
    } else if (this.latestByEvent.has(event)) {
      fn(this.latestByEvent.get(event), event);
    }
    return () => this.off(event, fn);
  }

  /** Removes a listener added with on() or once(). */
  off(event, fn) {
    const set = this.listeners.get(event);
    if (set) {
      set.delete(fn);
      for (const l of set) if (l.original === fn) set.delete(l);
    }
    return this;
  }

  /** Calls fn once, with the latest payload if there is one, else with the next. */
  once(event, fn) {
    if (event !== "*" && this.latestByEvent.has(event)) {
      fn(this.latestByEvent.get(event), event);
      return () => {};
    }
    const wrapper = (payload, e) => {
      this.off(event, wrapper);
      fn(payload, e);
    };
    wrapper.original = fn;
    return this.on(event, wrapper);
  }

  /** Calls fn(state, client) now and on every change of the connection state; returns off. */
  onState(fn) {
    this.stateListeners.add(fn);
    fn(this.state, this);
    return () => this.stateListeners.delete(fn);
  }

  /** The latest payload of an event, or undefined. */
  latest(event) {
    return this.latestByEvent.get(event);
  }

  /**
   * The milestones met so far, oldest first: from the server's list (protocol 2) and those met
   * while connected.
   */
  milestones() {
    return this.milestonesMet.slice();
  }

  /** The version of a stat's latest payload (protocol 2), or undefined. */
  version(event) {
    return this.versions.get(event);
  }

  /** Every stat event (stats:<group>:<key>) with its latest payload. */
  stats() {
    const out = {};
    this.latestByEvent.forEach((payload, event) => {
      if (event.startsWith("stats:")) out[event] = payload;
    });
    return out;
  }

  /** Closes for good: no reconnect. */
  close() {
    this.closedByUser = true;
    clearTimeout(this.timer);
    clearTimeout(this.heartbeat);
    this.unwatchEnvironment();
    if (this.socket) this.socket.close(1000, "bye");
    this.setState("closed");
  }

  /** Reconnects now rather than at the end of the backoff. */
  reconnectNow() {
    if (this.closedByUser) return;
    clearTimeout(this.timer);
    this.connect();
  }

  connect() {
    this.setState(this.attempt === 0 ? "connecting" : "reconnecting");
    let token;
    try {
      token = typeof this.token === "function" ? this.token() : this.token;
    } catch (e) {
      this.scheduleReconnect();
      return;
    }
    if (token && typeof token.then === "function") {
      token.then(
        (t) => {
          if (!this.closedByUser) this.open(t);
        },
        () => {
          if (!this.closedByUser) this.scheduleReconnect();
        },
      );
    } else {
      this.open(token);
    }
  }

  open(token) {
    let socket;
    try {
      // As a subprotocol, not ?token=: URLs end up in proxies' logs, this header does not.
      socket = token
        ? new this.WebSocketImpl(this.url, [TOKEN_PROTOCOL, token])
        : new this.WebSocketImpl(this.url);
    } catch (e) {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.nextAttemptAt = null;
      this.protocol = 1;
      if (this.wantedProtocol === 2) {
        // Both at once: a server of protocol 2 starts a client subscribed to nothing, and one of
        // protocol 1 ignores them.
        socket.send(JSON.stringify({ event: "hello", payload: { protocol: 2 } }));
        // Back from a lost connection: the versions it holds, so that only what changed comes.
        if (this.resume && this.versions.size > 0) {
          const versions = {};
          this.versions.forEach((v, event) => (versions[event.replace(/^stats:/, "")] = v));
          socket.send(JSON.stringify({ event: "resume", payload: { versions } }));
        }
        const payload = { stats: this.subscription };
        if (this.maxRate) payload.maxRate = this.maxRate;
        socket.send(JSON.stringify({ event: "subscribe", payload }));
      }
      this.setState("open");
      this.armHeartbeat();
    };
    socket.onmessage = (e) => {
      if (this.socket !== socket) return;
      this.armHeartbeat();
      this.receive(typeof e.data === "string" ? e.data : String(e.data));
    };
    socket.onclose = () => {
      if (this.socket === socket && !this.closedByUser) this.scheduleReconnect();
    };
    socket.onerror = () => {
      // onclose follows and reconnects.
    };
  }

  armHeartbeat() {
    clearTimeout(this.heartbeat);
    if (this.heartbeatTimeout > 0) {
      this.heartbeat = setTimeout(() => this.abandon(), this.heartbeatTimeout);
    }
  }

  /** A connection that went silent: drop it without waiting for TCP to notice. */
  abandon() {
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      try {
        socket.close(4000, "heartbeat timeout");
      } catch (e) {
        // already closing
      }
    }
    if (!this.closedByUser) this.scheduleReconnect();
  }

  scheduleReconnect() {
    clearTimeout(this.heartbeat);
    clearTimeout(this.timer);
    this.attempt += 1;
    const ceiling = Math.min(this.maxDelay, this.minDelay * Math.pow(2, this.attempt - 1));
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2; // jitter: no thundering herd
    this.nextAttemptAt = Date.now() + delay;
    this.setState("reconnecting");
    this.timer = setTimeout(() => this.connect(), delay);
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch (e) {
      return;
    }
    this.handle(message);
  }

  handle(message) {
    if (!message || typeof message.event !== "string") return;
    if (message.event === "batch" && Array.isArray(message.payload)) {
      // Protocol 2: one round of changes in one frame; each part as if it came alone, all of them
      // before the page draws again.
      for (const part of message.payload) this.handle(part);
      return;
    }
    if (typeof message.base === "string") {
      // Protocol 2: a delta (JSON Merge Patch) against the version this client holds.
      const held = this.latestByEvent.get(message.event);
      if (held === undefined || this.versions.get(message.event) !== message.base) {
        this.resubscribe(message.event);
        return;
      }
      message.payload = mergePatch(held, message.payload);
    }
    if (message.event === "available") this.available = message.payload;
    if (message.event === "hello") {
      this.protocol = message.payload && message.payload.protocol === 2 ? 2 : 1;
      // What protocol 1 sent before the hello was heard, beyond the subscription, is let go.
      if (this.protocol === 2 && !this.subscription.includes("*")) {
        const wanted = new Set(this.subscription.map((name) => "stats:" + name));
        for (const event of [...this.latestByEvent.keys()]) {
          if (event.startsWith("stats:") && !wanted.has(event)) this.latestByEvent.delete(event);
        }
      }
    }
    if (message.event === "milestones" && Array.isArray(message.payload)) this.milestonesMet = message.payload.slice();
    if (message.event === "milestone") this.milestonesMet.push(message.payload);
    if (typeof message.version === "string") this.versions.set(message.event, message.version);
    if (message.event !== "milestone") this.latestByEvent.set(message.event, message.payload);
    this.emit(message.event, message.payload, message.event);
    this.emit("*", message.payload, message.event);
  }

  /** A delta for a version it does not hold: ask for the stat again, whole. */
  resubscribe(event) {
    const name = event.replace(/^stats:/, "");
    const socket = this.socket;
    if (!socket) return;
    socket.send(JSON.stringify({ event: "unsubscribe", payload: { stats: [name] } }));
    const payload = { stats: [name] };
    if (this.maxRate) payload.maxRate = this.maxRate;
    socket.send(JSON.stringify({ event: "subscribe", payload }));
  }

  emit(key, payload, event) {
    const set = this.listeners.get(key);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(payload, event);
      } catch (e) {
        if (globalThis.console) globalThis.console.error("arithmospora listener failed", e);
      }
    }
  }

  setState(state) {
    if (this.state === state && state !== "reconnecting") return;
    this.state = state;
    for (const fn of [...this.stateListeners]) fn(state, this);
  }

  watchEnvironment(events) {
    const win = events ?? (typeof window !== "undefined" ? window : null);
    const doc = events ?? (typeof document !== "undefined" ? document : null);
    this.environment = [];
    if (win && win.addEventListener) {
      win.addEventListener("online", this.wake);
      this.environment.push([win, "online"]);
    }
    if (doc && doc.addEventListener) {
      const onVisible = () => {
        if (!doc.visibilityState || doc.visibilityState === "visible") this.wake();
      };
      doc.addEventListener("visibilitychange", onVisible);
      this.environment.push([doc, "visibilitychange", onVisible]);
    }
  }

  unwatchEnvironment() {
    for (const [target, type, fn] of this.environment) {
      target.removeEventListener(type, fn ?? this.wake);
    }
    this.environment = [];
  }
}

/** RFC 7396: target with patch applied; target itself is not changed. */
function mergePatch(target, patch) {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out = target !== null && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** new Client(url, options), for those who prefer a function. */
export function connect(url, options) {
  return new Client(url, options);
}
