package org.arithmospora.hub;

/**
 * How much one client may have on its way to it, and what it has confirmed: the hub's flow control
 * for that client. Not thread-safe: the hub's thread alone uses it.
 *
 * <p><b>In flight.</b> Bytes handed to the transport count as in flight until the client
 * acknowledges them (for websockets, by answering a ping sent after them). Whatever the kernel has
 * accepted is out of the server's reach: it can no longer be replaced by a newer version. So the
 * hub hands over a message only while less than the window is with the client (written and not yet
 * acknowledged) and less than the window waits in the server's own transport (handed over and not
 * yet written, when the transport can tell); everything newer waits in the hub, where it can still
 * be conflated. Only the first is the client's doing and measures it; the second is a busy
 * server's, and a client held back by it waits for the server alone.
 *
 * <p><b>Size.</b> Acknowledgements that follow a time when the window held messages back, and that
 * were not prompt, measure how fast the client really reads ({@code bytes / time}, from arrival to
 * arrival: a busy server reads answers late, and its lateness is not the client's; over {@code
 * sendWindowTime} at least, answers closer together counting with the next, since a selector times
 * each answer only to within a round of its loop). The window is then what the client reads in
 * {@code sendWindowTime} plus one round trip (counted up to {@code sendWindowTime}: clients that
 * share one slow device or link each see the others' backlog in their round trip, and a window
 * grown with it would feed it), plus, for a client whose shortest round trip is under a quarter of
 * {@code sendWindowTime}, the server's recent lateness in reading its answers (up to a second),
 * between {@link #MIN_BYTES} and the configured maximum. A slower measurement is believed but
 * halves the estimate at most; a faster one is approached by a quarter of the difference, and
 * raises it by half at most. Two kinds of answer measure nothing: those that come while the window
 * was not the limit (they show how fast buffers absorb a burst), and those to a request that waited
 * long in the server's own queue (they show a busy server). A slow client thus has a quarter to
 * half a second of its own reading in flight, and what it sees lags by that much beyond its own
 * transfer time, not by whatever the kernel's buffers hold.
 *
 * <p><b>Start and growth.</b> A new client starts with {@link #INITIAL_BYTES}: a page's snapshot in
 * a round trip or two, and little to wait in front of thousands of clients arriving together on one
 * slow device. A client that answers promptly (within a quarter of {@code sendWindowTime}, as its
 * transport timed it, to the answer's arrival) for at least half its window has the window grown by
 * what it acknowledged, as TCP's slow start does, whether or not the window held messages back; a
 * window it does not fill does not grow (RFC 7661). Not when an answer means only that the bytes
 * left for the network (an event stream's): the kernel takes them promptly while it has room,
 * however slowly the client reads, and a window grown on that held seconds of a slow client's
 * reading in the server's own buffer, beyond the kernel's.
 *
 * <p><b>Round trip.</b> It must not include the client's own backlog: once the window is full,
 * every answer waits behind it. So the shortest delay is trusted for ten seconds; then, for a
 * client whose window limits it, the window is held at its minimum until one request made with
 * little in flight is answered, and that delay is the new round trip (BBR's ProbeRTT). Not for a
 * client whose shortest round trip is already {@code sendWindowTime} or more: the window counts the
 * round trip up to that time only, so a new measurement could not widen it.
 *
 * <p><b>Requests.</b> Acknowledgements are asked for after the first {@link #MIN_BYTES}, then every
 * half window up to {@link #MAX_ACK_INTERVAL} ({@link #ackInterval()}): each costs a slow client a
 * pong and the server a read. A client counts as stuck ({@link #stuck}) only when it has answered
 * nothing for {@code write_wait}, and for as long as {@link #MIN_READING_RATE} would take to read
 * what is ahead of its oldest unanswered request (for an event stream, with what the kernel may
 * still hold of what it answered for).
 */
final class SendWindow {
  /** The smallest window: a few messages, so that even the slowest client gets whole updates. */
  static final int MIN_BYTES = 2048;

  /** The window of a client not yet measured (see the class comment). */
  static final int INITIAL_BYTES = 8 * 1024;

  /** Most bytes between two requests for acknowledgement. */
  static final int MAX_ACK_INTERVAL = 32 * 1024;

  /**
   * The slowest reading that still counts as reading, in bytes a second: a client whose oldest
   * unanswered request has more than {@code write_wait} of this ahead of it is given longer.
   */
  static final int MIN_READING_RATE = 2 * 1024;

  /** How long a shortest round trip is believed before a new one replaces it. */
  private static final long MIN_RTT_LIFETIME_NANOS = 10_000_000_000L;

  /** Weight of a new, faster rate measurement. */
  private static final double RATE_GAIN = 0.25;

  /**
   * The most one faster measurement raises the estimate by, as a factor. Answers are timed only to
   * within a round of the selector's loop, up to a few hundred milliseconds with thousands of
   * clients: two answers a round apart were timed 2 to 24 ms apart, and the bytes between them
   * looked read 10 to 100 times as fast (a window log of 500 throttled clients among 5,000,
   * 2026-12-04). What measuring over {@code sendWindowTime} at least does not smooth out cannot
   * widen a window by more than half at once.
   */
  private static final double MAX_RATE_RISE = 1.5;

  /** The most of the server's lateness in reading answers that a window is widened by. */
  private static final long MAX_READ_DELAY_NANOS = 1_000_000_000L;

  private final int maxBytes;
  private final long targetNanos;

  /** How far an acknowledgement may run ahead of the client's reading (see the constructor). */
  private final long ackedAheadOfReading;

  private long sent;
  private long written;
  private long acked;
  private long window;

  /** Measured consumption rate in bytes per nanosecond; negative until measured. */
  private double rate = -1;

  // Until measured: no round trip at all, so that the first measurement sets it.
  private long minRtt = Long.MAX_VALUE / 4;
  private long minRttAt;
  private long lastAckAt;

  /** When the last acknowledgement arrived, which may be before the hub took it. */
  private long lastArrivalAt;

  /**
   * Where the span of reading being measured began: what was acknowledged then, and when that
   * acknowledgement arrived (or the window began to be busy).
   */
  private long spanFromMark;

  private long spanFromAt;

  private long acks;

  /**
   * How late the server has lately read this client's answers: the latest lateness at once when it
   * grows, a quarter of the way to it when it shrinks.
   */
  private long readDelay;

  /** Whether the window held a message back since the last acknowledgement. */
  private boolean limited;

  /**
   * Measuring the round trip afresh: the window is {@link #MIN_BYTES} until {@link #probeToken} is
   * answered.
   */
  private boolean probing;

  /**
   * Whether the server's own backlog shut the window: it reopens only once half of the window is
   * left unwritten. Reopened at the first byte written, it took one message per tick, each queued
   * as the selector was writing that very connection (such single sends from the tick were a tenth
   * of the hub thread's samples with 10,000 clients, JFR 2026-12-03); reopened at half, it takes
   * the newest of each stat at once.
   */
  private boolean heldByServer;

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
   * @param targetNanos the reading time a slow client's window holds; 0 keeps it at {@code
   *     maxBytes} from the start
   */
  SendWindow(int maxBytes, long targetNanos) {
    this(maxBytes, targetNanos, 0);
  }

  /**
   * @param maxBytes the largest window
   * @param targetNanos the reading time a slow client's window holds; 0 keeps it at {@code
   *     maxBytes} from the start
   * @param ackedAheadOfReading how far an acknowledgement may run ahead of the client's reading
   *     ({@link Transport#acknowledgedAheadOfReading()}): 0 when it says the client has read what
   *     came before it, and only then does a prompt one grow the window
   */
  SendWindow(int maxBytes, long targetNanos, long ackedAheadOfReading) {
    this.maxBytes = maxBytes;
    this.targetNanos = targetNanos;
    this.ackedAheadOfReading = ackedAheadOfReading;
    this.window = targetNanos > 0 ? Math.min(maxBytes, INITIAL_BYTES) : maxBytes;
  }

  /**
   * Whether another message may be handed over now: less than the window is with the client
   * (written, not acknowledged), and less than the window waits in the server's own transport
   * (handed over, not written).
   */
  boolean isOpen() {
    long limit = probing ? MIN_BYTES : window;
    if (written - acked >= limit) {
      return false;
    }
    long unwritten = sent - written;
    if (heldByServer) {
      if (unwritten > limit / 2) {
        return false;
      }
      heldByServer = false;
    }
    if (unwritten >= limit) {
      heldByServer = true;
      return false;
    }
    return true;
  }

  /**
   * Whether {@code bytes} more may be handed over at once and stay within the window, both the
   * client's part and the server's own: a whole round for a client that keeps up. {@link #isOpen}
   * lets one message start while anything of the window is left; a round of several must fit.
   */
  boolean fits(long bytes) {
    long limit = probing ? MIN_BYTES : window;
    return isOpen() && written - acked + bytes <= limit && sent - written + bytes <= limit;
  }

  /** Whether the client holds the window shut: its part, written and unacknowledged, is full. */
  boolean shutByClient() {
    return written - acked >= (probing ? MIN_BYTES : window);
  }

  /** Whether the server's own backlog (handed over, not yet written) holds the window shut. */
  boolean shutByServer() {
    return !shutByClient() && !isOpen();
  }

  /**
   * What the transport has written so far, or -1 when it cannot tell: then all that was handed over
   * counts as written.
   */
  void written(long bytesWritten) {
    long w = bytesWritten < 0 ? sent : Math.min(sent, bytesWritten);
    if (w > written) {
      written = w;
    }
  }

  /** Whether its round trip is being measured afresh, with the smallest window (for tests). */
  boolean probing() {
    return probing;
  }

  /** Bytes handed over and not yet acknowledged. */
  long inFlight() {
    return sent - acked;
  }

  /** Bytes handed over and not yet written by the transport. */
  long unwritten() {
    return sent - written;
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
      spanFromMark = acked;
      spanFromAt = Math.max(spanFromAt, now);
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
    if (acks == 0) {
      return MIN_BYTES;
    }
    return Math.max(MIN_BYTES, Math.min(window / 2, MAX_ACK_INTERVAL));
  }

  /**
   * Whether the client has taken nothing for too long: requests unanswered, nothing acknowledged
   * for {@code writeWait}, and the oldest request older than what reading what was ahead of it at
   * {@link #MIN_READING_RATE} would take.
   */
  boolean stuck(long writeWait, long now) {
    if (count == 0 || now - lastAckAt <= writeWait) {
      return false;
    }
    // What the kernel may still hold of what was acknowledged is ahead of it too.
    long ahead = requests[head + 1] - acked + ackedAheadOfReading;
    long allowed = Math.max(writeWait, ahead * 1_000_000_000L / MIN_READING_RATE);
    return now - requests[head + 2] > allowed;
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
    return uncovered >= ackInterval() || (waiting && shutByClient());
  }

  /**
   * Whether no request is outstanding and the last one is older than {@code period}: time for a
   * keep-alive.
   */
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
    lastArrivalAt = now;
    spanFromAt = now;
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
    return acknowledged(token, now, -1, -1);
  }

  /**
   * As {@link #acknowledged(long, long)}, with what its transport timed, -1 where it did not: the
   * round trip from the request's leaving for the network to its answer's arrival, which then is
   * the round trip, and the delay between the hub's asking and the request's leaving. When that
   * delay was long the server was the bottleneck, and the answer measures nothing of the client.
   */
  boolean acknowledged(long token, long now, long transportRtt, long writeDelay) {
    return acknowledged(token, now, now, transportRtt, writeDelay);
  }

  /**
   * As {@link #acknowledged(long, long, long, long)}, for an answer that reached the server at
   * {@code arrivedAt}, before the hub took it at {@code now}: a busy server reads late. The client
   * is timed from arrival to arrival, so that the server's lateness in reading is not the client's.
   * A client that had nothing to read while the server was late would be measured the slower for
   * it; one that answers promptly is not measured, its window grows instead, and has room for that
   * lateness (see {@link #adapt}).
   */
  boolean acknowledged(long token, long now, long arrivedAt, long transportRtt, long writeDelay) {
    if (count == 0
        || (token != Connection.UNKNOWN_TOKEN && (token < requests[head] || token >= nextToken))) {
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
    long lateness = Math.max(0, now - arrivedAt);
    readDelay =
        lateness >= readDelay ? lateness : readDelay - (long) (RATE_GAIN * (readDelay - lateness));
    long rtt = transportRtt >= 0 ? transportRtt : arrivedAt - askedAt;
    long probeRtt =
        probeAskedAt < 0
            ? -1
            : transportRtt >= 0 && token == probeToken ? transportRtt : arrivedAt - probeAskedAt;
    roundTrip(rtt, probeRtt, now, limited);
    lastArrivalAt = Math.max(lastArrivalAt, arrivedAt);
    // Only when the window held messages back, and the answer was not prompt, was the client the
    // limit: this is how fast it consumes. A prompt answer to a held-back window shows a client
    // that reads all it gets at once, held back by the server's late reading of its answers or
    // by the window's size: its window grows instead. Not while probing, when the limit was ours,
    // nor when the request waited long in the server's own queue, when the limit was the server.
    // A slower measurement halves the estimate at most, so that one late answer cannot shut a
    // fast client's window.
    boolean serverLate = writeDelay > targetNanos / 4;
    boolean prompt = targetNanos > 0 && rtt < targetNanos / 4;
    if (limited && !prompt && !wasProbing && !serverLate) {
      // Measured over at least sendWindowTime: a shorter span counts with the next answer's.
      long span = arrivedAt - spanFromAt;
      if (span >= targetNanos && mark > spanFromMark) {
        double sample = (double) (mark - spanFromMark) / span;
        rate =
            rate < 0
                ? sample
                : sample < rate
                    ? Math.max(sample, rate / 2)
                    : Math.min(rate * MAX_RATE_RISE, rate + RATE_GAIN * (sample - rate));
        adapt();
        startSpan(mark, arrivedAt);
      }
    } else {
      if (prompt && ackedAheadOfReading == 0 && !wasProbing && !serverLate && 2 * bytes >= window) {
        // Answered promptly for at least half its window: it used the window and may have more,
        // as fast as it proves (a window it does not use says nothing).
        window = Math.min(maxBytes, window + bytes);
      }
      // What came before this answer was not the client's reading alone: measure from here.
      startSpan(mark, arrivedAt);
    }
    acks++;
    acked = mark;
    // What the client acknowledged it was certainly written.
    written = Math.max(written, acked);
    lastAckAt = now;
    limited = false;
    return true;
  }

  private void startSpan(long mark, long arrivedAt) {
    spanFromMark = mark;
    spanFromAt = Math.max(spanFromAt, arrivedAt);
  }

  /**
   * @param windowLimited whether the window held messages back: only then does its size, and so the
   *     round trip in it, matter, and is a probe worth its cost
   */
  private void roundTrip(long rtt, long probeRtt, long now, boolean windowLimited) {
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
    } else if (!probing
        && windowLimited
        && now - minRttAt > MIN_RTT_LIFETIME_NANOS
        && targetNanos > 0
        && minRtt < targetNanos) {
      // A round trip of the target time or more already counts as the target (see adapt): a
      // fresh one could not widen the window, and probing costs such a client seconds at the
      // smallest window, one round trip or two of its own.
      probing = true;
    }
  }

  private void adapt() {
    if (targetNanos <= 0 || rate < 0) {
      return;
    }
    // The round trip counts up to the target time only. Clients that share a bottleneck (one
    // overloaded device or link for many of them) each see the others' backlog in their round
    // trip; a window that grew with it would grow the backlog in turn, without end.
    double nanos = targetNanos + Math.min(minRtt, targetNanos);
    if (minRtt < targetNanos / 4) {
      // A client that answers promptly is held back by the server's lateness in reading its
      // answers (counted up to a second): what it has read stays in the window until the server
      // reads that it has. Not a slow one: room for that lateness would be as much more in flight
      // for it, stale by as much (5,000 deflating Node.js clients in one process lagged half as
      // much again with it).
      nanos += Math.min(readDelay, MAX_READ_DELAY_NANOS);
    }
    double bytes = rate * nanos;
    window = (long) Math.max(MIN_BYTES, Math.min(maxBytes, bytes));
  }
}
