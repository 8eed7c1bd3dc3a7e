package org.arithmospora.hub;

/**
 * How much one client may have on its way to it, and what it has confirmed: the hub's flow
 * control for that client. Not thread-safe: the hub's thread alone uses it.
 *
 * <p>Bytes handed to the transport count as <em>in flight</em> until the client acknowledges
 * them (for websockets, by answering a ping sent after them). Whatever the kernel has accepted is
 * out of the server's reach: it can no longer be replaced by a newer version. So the hub hands
 * over a new message only while less than the window is in flight, and everything newer waits in
 * the hub, where it can still be conflated.
 *
 * <p>The window adapts to the client. Each acknowledgement that follows a time when the window
 * held messages back measures how fast the client really consumes ({@code bytes / time}); the
 * window is then what the client reads in {@code sendWindowTime} plus one round trip (the
 * shortest time an acknowledgement took recently), between {@link #MIN_BYTES} and the configured
 * maximum. A fast client keeps the maximum; a slow one has about a quarter of a second of its
 * own reading in flight, so what it sees lags by that much beyond its own transfer time, not by
 * whatever the kernel's buffers hold. Until it is measured, a client has the maximum, so that its
 * snapshot leaves at once.
 *
 * <p>The round trip must not include the client's own backlog: once the window is full, every
 * acknowledgement waits behind it, and a window sized by those delays would only grow. So the
 * shortest delay is trusted for ten seconds; after that the window is held at its minimum until
 * one request, made with little in flight, is answered, and that delay is the new round trip
 * (what BBR calls ProbeRTT). For a fast client that costs nothing; a slow one drains its window
 * once every ten seconds.
 *
 * <p>Acknowledgements are asked for every so many bytes ({@link #ackInterval()}), so that a
 * client that reads, however slowly, shows progress well within {@code write_wait}: every
 * {@link #MIN_BYTES} until its rate is first measured, then every quarter window, up to
 * {@link #MAX_ACK_INTERVAL}.
 */
final class SendWindow {
  /** The smallest window: a few messages, so that even the slowest client gets whole updates. */
  static final int MIN_BYTES = 2048;
  /** Most bytes between two requests for acknowledgement. */
  static final int MAX_ACK_INTERVAL = 8 * 1024;
  private static final int MIN_ACK_INTERVAL = 512;
  /** How long a shortest round trip is believed before a new one replaces it. */
  private static final long MIN_RTT_LIFETIME_NANOS = 10_000_000_000L;
  /** Weight of a new rate measurement. */
  private static final double RATE_GAIN = 0.25;

  private final int maxBytes;
  private final long targetNanos;

  private long sent;
  private long acked;
  private long window;
  /** Measured consumption rate in bytes per nanosecond; negative until measured. */
  private double rate = -1;
  // Until measured: no round trip at all, so that the first measurement sets it.
  private long minRtt = Long.MAX_VALUE / 4;
  private long minRttAt;
  private long lastAckAt;
  /** When bytes were last handed over with nothing in flight: the start of a busy period. */
  private long busySince;
  /** Whether the window held a message back since the last acknowledgement. */
  private boolean limited;
  /** Measuring the round trip afresh: the window is {@link #MIN_BYTES} until {@link #probeToken} is answered. */
  private boolean probing;
  /** Whether, while probing, bytes were handed over with less than the minimum in flight. */
  private boolean probeDrained;
  private long probeToken = -1;
  /** Bytes in flight ahead of the probe's request: the client drains them before it answers. */
  private long probeAhead;
  private long lastRequestMark;
  private long lastRequestAt;
  private long nextToken = 1;
  // Outstanding requests in order, as a ring of (token, mark, sentAt).
  private long[] requests = new long[3 * 8];
  private int head;
  private int count;

  /**
   * @param maxBytes the largest window
   * @param targetNanos the reading time a slow client's window holds; 0 keeps it at
   *     {@code maxBytes}
   */
  SendWindow(int maxBytes, long targetNanos) {
    this.maxBytes = maxBytes;
    this.targetNanos = targetNanos;
    this.window = maxBytes;
  }

  /** Whether another message may be handed over now. */
  boolean isOpen() {
    return inFlight() < (probing ? MIN_BYTES : window);
  }

  /** Bytes handed over and not yet acknowledged. */
  long inFlight() {
    return sent - acked;
  }

  /** The current window in bytes. */
  long window() {
    return window;
  }

  /** The measured consumption rate in bytes a second, or -1 before it is measured. */
  double bytesPerSecond() {
    return rate < 0 ? -1 : rate * 1e9;
  }

  /** Total bytes handed over. */
  long sent() {
    return sent;
  }

  /** {@code bytes} were handed over at {@code now}. */
  void sent(int bytes, long now) {
    if (sent == acked) {
      busySince = now;
    }
    if (probing && inFlight() < MIN_BYTES) {
      probeDrained = true;
    }
    sent += bytes;
  }

  /** The window held a message back. */
  void limited() {
    limited = true;
  }

  /** Bytes to hand over between two requests for acknowledgement. */
  long ackInterval() {
    if (rate < 0) {
      return MIN_BYTES;
    }
    return Math.max(MIN_ACK_INTERVAL, Math.min(window / 4, MAX_ACK_INTERVAL));
  }

  /**
   * Whether to ask for an acknowledgement now: enough was sent since the last request, or the
   * window is shut with messages waiting and nothing asked would reopen it.
   *
   * @param waiting whether messages are waiting for the window
   */
  boolean wantsAck(boolean waiting) {
    long uncovered = sent - lastRequestMark;
    if (uncovered <= 0) {
      return false;
    }
    return uncovered >= ackInterval() || (waiting && !isOpen());
  }

  /** Whether no request is outstanding and the last one is older than {@code period}: time for a keep-alive. */
  boolean idleFor(long period, long now) {
    return count == 0 && now - lastRequestAt >= period;
  }

  /** Records a request for acknowledgement of everything sent so far; returns its token. */
  long request(long now) {
    long token = nextToken++;
    if (3 * (count + 1) > requests.length) {
      long[] more = new long[requests.length * 2];
      for (int i = 0; i < count; i++) {
        System.arraycopy(requests, slot(i), more, 3 * i, 3);
      }
      requests = more;
      head = 0;
    }
    int s = slot(count);
    requests[s] = token;
    requests[s + 1] = sent;
    requests[s + 2] = now;
    count++;
    if (probing && probeDrained && probeToken < 0) {
      probeToken = token;
      probeAhead = inFlight();
    }
    lastRequestMark = sent;
    lastRequestAt = now;
    return token;
  }

  private int slot(int i) {
    return 3 * ((head / 3 + i) % (requests.length / 3));
  }

  /** Requests not yet acknowledged. */
  int outstanding() {
    return count;
  }

  /** When the oldest outstanding request was made; only when {@link #outstanding()} is above 0. */
  long oldestRequestAt() {
    return requests[head + 2];
  }

  /** When the client last acknowledged anything (or when this window began). */
  long lastAckAt() {
    return lastAckAt;
  }

  /** Starts the clocks at {@code now}. */
  void start(long now) {
    lastAckAt = now;
    lastRequestAt = now;
    minRttAt = now;
  }

  /**
   * The client acknowledged the request with {@code token}, and every one before it; a token of
   * {@link Connection#UNKNOWN_TOKEN} (a client that does not echo) stands for the oldest one.
   *
   * @return whether it matched an outstanding request
   */
  boolean acknowledged(long token, long now) {
    if (count == 0 || (token != Connection.UNKNOWN_TOKEN && (token < requests[head] || token >= nextToken))) {
      return false; // unsolicited, already acknowledged, or never asked for
    }
    long mark = -1;
    long askedAt = 0;
    long probeAskedAt = -1;
    while (count > 0 && (token == Connection.UNKNOWN_TOKEN ? mark < 0 : requests[head] <= token)) {
      if (requests[head] == probeToken) {
        probeAskedAt = requests[head + 2];
      }
      mark = requests[head + 1];
      askedAt = requests[head + 2];
      head = slot(1);
      count--;
    }
    long bytes = mark - acked;
    boolean wasProbing = probing;
    roundTrip(now - askedAt, probeAskedAt < 0 ? -1 : now - probeAskedAt, now);
    long interval = now - Math.max(lastAckAt, busySince);
    // While probing the window was not the client's limit but ours: no rate from it.
    if (!wasProbing && bytes > 0 && interval > 0) {
      double sample = (double) bytes / interval;
      if (limited) {
        // The client was the limit: this is how fast it consumes.
        rate = rate < 0 ? sample : rate + RATE_GAIN * (sample - rate);
      } else if (sample > rate) {
        // The window was not the limit: the client is at least this fast.
        rate = sample;
      }
    }
    acked = mark;
    lastAckAt = now;
    limited = false;
    adapt();
    return true;
  }

  private void roundTrip(long rtt, long probeRtt, long now) {
    if (probeRtt >= 0) {
      // What the client took to read what was ahead of the probe is its reading, not the network.
      minRtt = rate > 0 ? Math.max(0, probeRtt - (long) (probeAhead / rate)) : probeRtt;
      minRttAt = now;
      probing = false;
      probeDrained = false;
      probeToken = -1;
    }
    if (rtt <= minRtt) {
      minRtt = rtt;
      minRttAt = now;
    } else if (!probing && now - minRttAt > MIN_RTT_LIFETIME_NANOS && targetNanos > 0) {
      probing = true;
    }
  }

  private void adapt() {
    if (targetNanos <= 0 || rate < 0) {
      return;
    }
    double bytes = rate * (targetNanos + minRtt);
    window = (long) Math.max(MIN_BYTES, Math.min(maxBytes, bytes));
  }
}
