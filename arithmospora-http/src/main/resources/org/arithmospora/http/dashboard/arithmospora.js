/*
 * arithmospora.js — a small browser client for Arithmospora servers (no dependencies).
 *
 *   const client = new Arithmospora.Client("wss://stats.example.org:8443/election2026");
 *   client.on("stats:proportion:total", payload => show(payload.data.percentage));
 *   client.on("milestone", m => announce(m.message));
 *   client.onState(state => badge.textContent = state);   // connecting | open | reconnecting | closed
 *
 * It connects, keeps the latest payload of every event (client.latest(event)), and reconnects
 * with exponential backoff and jitter when the connection drops. A listener added after a stat
 * arrived is called at once with its latest payload, so late listeners never miss state.
 */
(function (global) {
  "use strict";

  class Client {
    /**
     * @param {string} url      ws:// or wss:// URL of one source, e.g. ws://host:8080/election
     * @param {object} options  minDelay / maxDelay (ms) of the reconnect backoff; WebSocket: a
     *                          WebSocket constructor (for tests or other environments)
     */
    constructor(url, options) {
      const o = options || {};
      this.url = url;
      this.minDelay = o.minDelay || 500;
      this.maxDelay = o.maxDelay || 15000;
      this.WebSocketImpl = o.WebSocket || global.WebSocket;
      this.listeners = new Map();
      this.stateListeners = [];
      this.latestByEvent = new Map();
      this.available = null;
      this.state = "connecting";
      this.attempt = 0;
      this.closedByUser = false;
      this.connect();
    }

    /** Calls fn(payload, event) for each message of event; "*" hears every event. */
    on(event, fn) {
      if (!this.listeners.has(event)) {
        this.listeners.set(event, []);
      }
      this.listeners.get(event).push(fn);
      if (event === "*") {
        this.latestByEvent.forEach((payload, e) => fn(payload, e));
      } else if (this.latestByEvent.has(event)) {
        fn(this.latestByEvent.get(event), event);
      }
      return this;
    }

    /** Calls fn(state) now and on every change of the connection state. */
    onState(fn) {
      this.stateListeners.push(fn);
      fn(this.state, this);
      return this;
    }

    /** The latest payload of an event, or undefined. */
    latest(event) {
      return this.latestByEvent.get(event);
    }

    /** Every stat event (stats:<group>:<key>) with its latest payload. */
    stats() {
      const out = {};
      this.latestByEvent.forEach((payload, event) => {
        if (event.startsWith("stats:")) {
          out[event] = payload;
        }
      });
      return out;
    }

    /** Closes for good: no reconnect. */
    close() {
      this.closedByUser = true;
      clearTimeout(this.timer);
      if (this.socket) {
        this.socket.close(1000, "bye");
      }
      this.setState("closed");
    }

    connect() {
      this.setState(this.attempt === 0 ? "connecting" : "reconnecting");
      let socket;
      try {
        socket = new this.WebSocketImpl(this.url);
      } catch (e) {
        this.scheduleReconnect();
        return;
      }
      this.socket = socket;
      socket.onopen = () => {
        this.attempt = 0;
        this.setState("open");
      };
      socket.onmessage = (e) => this.receive(e.data);
      socket.onclose = () => {
        if (this.socket === socket && !this.closedByUser) {
          this.scheduleReconnect();
        }
      };
      socket.onerror = () => {
        // onclose follows and reconnects.
      };
    }

    scheduleReconnect() {
      this.attempt += 1;
      const ceiling = Math.min(this.maxDelay, this.minDelay * Math.pow(2, this.attempt - 1));
      const delay = ceiling / 2 + Math.random() * ceiling / 2;
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
      if (!message || typeof message.event !== "string") {
        return;
      }
      if (message.event === "available") {
        this.available = message.payload;
      }
      if (message.event !== "milestone") {
        this.latestByEvent.set(message.event, message.payload);
      }
      this.emit(message.event, message.payload);
      this.emit("*", message.payload, message.event);
    }

    emit(key, payload, event) {
      (this.listeners.get(key) || []).forEach((fn) => {
        try {
          fn(payload, event || key);
        } catch (e) {
          if (global.console) {
            global.console.error("arithmospora listener failed", e);
          }
        }
      });
    }

    setState(state) {
      if (this.state === state && state !== "reconnecting") {
        return;
      }
      this.state = state;
      this.stateListeners.forEach((fn) => fn(state, this));
    }
  }

  global.Arithmospora = { Client: Client };
})(typeof window !== "undefined" ? window : globalThis);
