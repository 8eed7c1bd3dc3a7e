package org.arithmospora.hub;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client of a {@link Hub}, as {@link Hub#connect} returns it to the client's transport. The
 * transport tells it what the client does: acknowledges, speaks, leaves. Its methods are
 * thread-safe and return at once; the hub acts on them on its own thread.
 *
 * <p>The rest of its state (what waits for the client, its send window) belongs to the hub's
 * thread.
 */
public final class Connection {
  /**
   * The token to pass to {@link #acknowledged(long)} for an acknowledgement that does not say which
   * request it answers (a pong without its ping's payload): it stands for the oldest.
   */
  public static final long UNKNOWN_TOKEN = -1;

  private final Hub hub;
  final Hub.Channel channel;
  final Transport transport;
  final SendWindow window;

  /** Messages waiting for the window or the rate cap, by key: a newer one replaces an older. */
  final PendingMessages pending;

  /** Per stat, when it may next be sent under the rate cap; null without a cap. */
  long[] nextAllowed;

  /** Per stat, this client's own interval between messages (protocol 2's maxRate); null: none. */
  long[] statIntervalNanos;

  /** The protocol it speaks: 1 until it says hello with protocol 2. Hub thread. */
  int protocol = 1;

  /** Protocol 2: per stat, whether it is subscribed; null: every stat (protocol 1). Hub thread. */
  boolean[] subscribed;

  /**
   * Protocol 2: by message key (a stat's event, or its event and a data point's path), the version
   * last sent to it, which deltas are made against. Hub thread.
   */
  final Map<String, OutboundMessage> held = new HashMap<>();

  /** Protocol 2: by message key, the version it said it holds from before (resume), until used. */
  final Map<String, String> claimed = new HashMap<>();

  /** Protocol 2: per stat, the data points whose subtrees it subscribed to ("PG/T"). */
  final Map<Integer, Set<String>> subtrees = new HashMap<>();

  // Protocol 2: a token bucket for the messages it sends, and when it was last told it sent too
  // many. Transport threads; guarded by this.
  private double messageTokens;
  private long messageTokensAt;
  private long lastToldTooMany = Long.MIN_VALUE;

  volatile long lastHeardNanos;

  /** The newest acknowledged token not yet taken by the hub, or -1; and pongs without one. */
  private final AtomicLong newestAck = new AtomicLong(-1);

  private final AtomicInteger unknownAcks = new AtomicInteger();
  private final AtomicBoolean inInbox = new AtomicBoolean();

  /**
   * The round trip and write delay of the newest acknowledgement as its transport timed them, or
   * -1.
   */
  private volatile long lastRoundTrip = -1;

  private volatile long lastWriteDelay = -1;

  /** When, on the hub's clock, the newest acknowledgement reached the server at the latest; -1. */
  private volatile long lastArrivedAt = -1;

  long snapshotDueNanos;
  // Only stats newer than this go in the snapshot: -1 for a new client.
  long resumeAfter = -1;
  boolean snapshotSent;
  boolean inSnapshot;
  boolean registered;
  boolean closed;
  boolean touched;
  boolean unflushed;
  boolean rateWaiting;

  /** Whether the hub counts it among the clients with messages waiting. */
  boolean counted;

  /** Whether the hub's tick is to pump it (a rate cap or the server's backlog holds it back). */
  boolean retrying;

  /** Whether it is in the hub's list of clients the tick pumps. */
  boolean retryListed;

  /** When its access ends, on the hub's ticker; {@link Long#MAX_VALUE} while it has no end. */
  volatile long accessEndsNanos = Long.MAX_VALUE;

  Connection(Hub hub, Hub.Channel channel, Transport transport, DeliverySettings settings) {
    this.hub = hub;
    this.channel = channel;
    this.transport = transport;
    this.pending = new PendingMessages(channel.statCount());
    this.window =
        new SendWindow(
            settings.sendWindowBytes(),
            settings.sendWindowTime().toNanos(),
            transport.acknowledgedAheadOfReading());
    this.nextAllowed = settings.maxStatRate() > 0 ? new long[channel.statCount()] : null;
    this.messageTokens = 2 * settings.clientMessagesPerSecond();
    this.messageTokensAt = hub.nanoTime();
  }

  /**
   * The client sent a text message: a sign of life and, from a client that speaks protocol 2, a
   * request (docs/protocol.md). A client of protocol 1 is answered only if it says hello; whatever
   * else it sends is ignored, as the Go program ignored it. Any thread.
   */
  public void received(String text) {
    heard();
    DeliverySettings s = hub.settings();
    ClientMessage m;
    if (!takeMessageToken(s)) {
      m = tooMany();
      if (m == null) {
        return;
      }
    } else if (utf8Length(text, s.maxClientMessageBytes()) > s.maxClientMessageBytes()) {
      m =
          new ClientMessage.Invalid(
              "too_large",
              "a message may have at most " + s.maxClientMessageBytes() + " bytes",
              null);
    } else {
      m = ClientMessage.parse(text);
    }
    hub.clientSaid(this, m);
  }

  private synchronized boolean takeMessageToken(DeliverySettings s) {
    long now = hub.nanoTime();
    double rate = s.clientMessagesPerSecond();
    messageTokens = Math.min(2 * rate, messageTokens + (now - messageTokensAt) * rate / 1e9);
    messageTokensAt = now;
    if (messageTokens < 1) {
      return false;
    }
    messageTokens -= 1;
    return true;
  }

  /** The error for a message over the rate, or null when the client was told within a second. */
  private synchronized ClientMessage tooMany() {
    long now = hub.nanoTime();
    if (lastToldTooMany != Long.MIN_VALUE && now - lastToldTooMany < 1_000_000_000L) {
      return null;
    }
    lastToldTooMany = now;
    return new ClientMessage.Invalid(
        "rate_limited",
        "at most "
            + hub.settings().clientMessagesPerSecond()
            + " messages a second; the ones past it are ignored",
        null);
  }

  /** The UTF-8 length of {@code text}, counted only as far as needed to pass {@code limit}. */
  private static int utf8Length(String text, int limit) {
    if (text.length() * 3 <= limit) {
      return text.length();
    }
    int bytes = 0;
    for (int i = 0; i < text.length() && bytes <= limit; i++) {
      char ch = text.charAt(i);
      bytes += ch < 0x80 ? 1 : ch < 0x800 ? 2 : Character.isHighSurrogate(ch) ? 2 : 3;
    }
    return bytes;
  }

  /** The name of the source this client receives. */
  public String sourceName() {
    return channel.source.name();
  }

  /**
   * The client has consumed everything sent before the request for acknowledgement with {@code
   * token} (see {@link Transport#requestAck}); {@link #UNKNOWN_TOKEN} when it did not say which
   * request it answers. Also a sign of life.
   */
  public void acknowledged(long token) {
    acknowledged(token, -1, -1);
  }

  /**
   * As {@link #acknowledged(long)}, with what the transport timed, -1 where it did not: the round
   * trip from when the request left for the network to when the answer came back, and the delay
   * from when the hub asked to when the request left. The hub judges the client by them, so that a
   * busy server is not taken for slow clients: an answer to a request that waited long in the
   * server's own queue says nothing about the client's speed.
   */
  public void acknowledged(long token, long roundTripNanos, long writeDelayNanos) {
    acknowledged(token, roundTripNanos, writeDelayNanos, 0);
  }

  /**
   * As {@link #acknowledged(long, long, long)}, with how long the answer may have waited in the
   * server before it was read ({@code readDelayNanos}, 0 when it was read as it arrived). A busy
   * selector reads a socket a round of its loop or two after the data came; what the client
   * acknowledged it had read by then, and the hub times the answer from then, so that the server's
   * lateness in reading does not count as the client's slowness.
   */
  public void acknowledged(
      long token, long roundTripNanos, long writeDelayNanos, long readDelayNanos) {
    heard();
    lastRoundTrip = roundTripNanos;
    lastWriteDelay = writeDelayNanos;
    lastArrivedAt = hub.nanoTime() - Math.max(0, readDelayNanos);
    inbox(token);
  }

  /**
   * Keeps an acknowledgement for the hub's thread and puts this connection in the hub's inbox if it
   * is not there yet.
   */
  private void inbox(long token) {
    if (token == UNKNOWN_TOKEN) {
      unknownAcks.incrementAndGet();
    } else {
      newestAck.accumulateAndGet(token, Math::max);
    }
    if (inInbox.compareAndSet(false, true)) {
      hub.enqueueAcks(this);
    }
  }

  /**
   * Hub thread: takes this connection out of the inbox, before its acknowledgements are taken, so
   * that one arriving meanwhile puts it back rather than waiting for the next.
   */
  void leaveInbox() {
    inInbox.set(false);
  }

  /** Hub thread: the newest token acknowledged since the last call, or -1. */
  long takeAck() {
    return newestAck.getAndSet(-1);
  }

  /** Hub thread: the transport's round trip of the newest acknowledgement, or -1. */
  long takeRoundTrip() {
    long rtt = lastRoundTrip;
    lastRoundTrip = -1;
    return rtt;
  }

  /** Hub thread: when the newest acknowledgement arrived (see {@link #acknowledged}), or -1. */
  long takeArrivedAt() {
    long at = lastArrivedAt;
    lastArrivedAt = -1;
    return at;
  }

  /** Hub thread: how long the newest acknowledged request waited to be written, or -1. */
  long takeWriteDelay() {
    long d = lastWriteDelay;
    lastWriteDelay = -1;
    return d;
  }

  /** Hub thread: how many acknowledgements without a token came since the last call. */
  int takeUnknownAcks() {
    return unknownAcks.getAndSet(0);
  }

  /** The client sent something: it is alive. */
  public void heard() {
    lastHeardNanos = hub.nanoTime();
  }

  /**
   * The client may read its source until {@code expires} (its token's expiry): at that moment the
   * hub closes the connection with 1008 and "token expired", and the client has to come back with a
   * new token. Any thread; call it before the first message is due, right after {@link
   * Hub#connect}.
   */
  public void accessEndsAt(Instant expires) {
    Duration left = Duration.between(hub.now(), expires);
    long now = hub.nanoTime();
    accessEndsNanos = left.isNegative() ? now : now + Math.min(left.toNanos(), Long.MAX_VALUE / 4);
  }

  /** The connection ended on the client's side or in the network; the hub forgets the client. */
  public void closed() {
    hub.disconnected(this);
  }

  @Override
  public String toString() {
    return transport.describe() + " of '" + sourceName() + "'";
  }
}
