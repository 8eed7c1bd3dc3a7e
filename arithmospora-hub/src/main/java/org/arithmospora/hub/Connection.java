package org.arithmospora.hub;

import java.util.LinkedHashMap;
import java.util.Map;
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
  final Map<String, OutboundMessage> pending = new LinkedHashMap<>();

  /** Per stat, when it may next be sent under the rate cap; null without a cap. */
  final long[] nextAllowed;

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

  Connection(Hub hub, Hub.Channel channel, Transport transport, DeliverySettings settings) {
    this.hub = hub;
    this.channel = channel;
    this.transport = transport;
    this.window = new SendWindow(settings.sendWindowBytes(), settings.sendWindowTime().toNanos());
    this.nextAllowed = settings.maxStatRate() > 0 ? new long[channel.statCount()] : null;
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
    heard();
    lastRoundTrip = roundTripNanos;
    lastWriteDelay = writeDelayNanos;
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

  /** The connection ended on the client's side or in the network; the hub forgets the client. */
  public void closed() {
    hub.disconnected(this);
  }

  @Override
  public String toString() {
    return transport.describe() + " of '" + sourceName() + "'";
  }
}
