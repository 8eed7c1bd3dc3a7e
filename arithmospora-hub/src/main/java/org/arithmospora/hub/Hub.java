package org.arithmospora.hub;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.arithmospora.core.Achievement;
import org.arithmospora.core.Scheduler;
import org.arithmospora.core.Source;
import org.arithmospora.core.SourceListener;
import org.arithmospora.core.Stat;
import org.arithmospora.core.ThreadScheduler;
import org.arithmospora.core.wire.EncodedMessage;
import org.arithmospora.core.wire.WireFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans each source's messages out to its clients, whatever transport carries them: on connect the
 * {@code available} message, after the snapshot delay every stat, then each change and each
 * milestone (SPEC §5). Each message is handed to every client as the same {@link OutboundMessage},
 * framed once per kind of transport.
 *
 * <p><b>Flow control.</b> A client that reads slower than updates arrive must get the newest
 * numbers next, not a growing backlog. So the hub hands a client a message only while less than its
 * {@link SendWindow send window} is in flight (sent but not acknowledged by the client). Everything
 * newer waits in the hub, one message per stat, where a newer version replaces the older one and a
 * milestone is never dropped. A client's memory on the server is thus bounded by its window plus
 * one message per stat, however far behind it falls, and the work per update is one hand-over or
 * one replacement per client: it does not grow with anyone's backlog. A client that reads at least
 * 2 KB/s is never dropped for being slow: only one that confirms nothing for {@code write_wait}
 * while messages are on their way (see {@link DeliverySettings#writeWait()}), or says nothing for
 * {@code pong_wait}.
 *
 * <p><b>Threads.</b> Everything that touches a client's state runs on the hub's one scheduler, so
 * clients need no locks, and a change reaches clients in the order the source made it. {@link
 * Connection}'s methods, which transports call from their own threads, hand their work to it;
 * acknowledgements wait in an inbox for the next tick (5 ms). Thread-safe.
 *
 * <pre>{@code
 * Hub hub = Hub.builder(DeliverySettings.ofDefaults()).source(liveSource).build();
 * hub.start();
 * Connection c = hub.connect("election", myTransport);   // when a client arrives
 * ...
 * hub.stop();
 * }</pre>
 *
 * <p>What a client of protocol 2 receives, and as what (subscriptions, deltas, resume), is {@code
 * Protocol2}'s; flow control and fan-out are the same for every client.
 *
 * <p>Its size is that of one state machine per client on one thread (admission, snapshot, window,
 * conflation, rate cap, keep-alive, drops): each part reads and changes the same client state on
 * every tick, and splitting them would spread that state over classes that all touch it.
 */
public final class Hub {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  /**
   * How often acknowledgements are taken, snapshots that are due sent and rate-capped stats
   * released.
   */
  private static final Duration TICK = Duration.ofMillis(5);

  /** How long {@link #flowState} waits for the hub's thread. */
  private static final Duration FLOW_STATE_TIMEOUT = Duration.ofSeconds(10);

  /** How often silences, stuck clients and keep-alives are checked. */
  private static final long HOUSEKEEPING_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** Most drops logged one by one per {@link #DROP_LOG_PERIOD_NANOS}; the rest are counted. */
  private static final int DROP_LOG_BURST = 10;

  /** RFC 6455's close code for a client the server's policy no longer lets in. */
  private static final int POLICY_VIOLATION = 1008;

  private static final long DROP_LOG_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final DeliverySettings settings;
  private final Scheduler scheduler;
  private final boolean ownScheduler;
  private final LongSupplier ticker;
  private final long rateIntervalNanos;
  private final Map<String, Channel> channels = new HashMap<>();
  private final List<Channel> channelList = new ArrayList<>();

  // Hub thread only.
  private final ArrayDeque<Connection> awaitingSnapshot = new ArrayDeque<>();
  private final Set<Connection> clients = new LinkedHashSet<>();

  /**
   * Clients whose waiting messages the tick tries again: held back by their rate cap or by the
   * server's own backlog, neither of which an acknowledgement will reopen. A list, each client in
   * it once, that the tick swaps for the spare and empties: no copy each tick, and a client that
   * stops waiting leaves at the next tick rather than being searched for.
   */
  private ArrayList<Connection> retryEachTick = new ArrayList<>();

  private ArrayList<Connection> retrySpare = new ArrayList<>();

  private final List<Connection> toFlush = new ArrayList<>();
  private final ConcurrentLinkedQueue<Connection> ackInbox = new ConcurrentLinkedQueue<>();
  private long nextHousekeeping;
  private long dropLogPeriodStart;
  private int dropsLoggedInPeriod;
  private int dropsNotLogged;
  private volatile Scheduler.Cancellable tick;
  private volatile boolean stopped;

  private final AtomicInteger connected = new AtomicInteger();
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicLong messagesSent = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong conflated = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();
  private final AtomicLong ackRequests = new AtomicLong();
  private final Map<DropReason, AtomicLong> drops = new EnumMap<>(DropReason.class);

  private final Protocol2 protocol2 = new Protocol2(this);

  private Hub(Builder b) {
    this.settings = b.settings;
    this.ownScheduler = b.scheduler == null;
    this.scheduler = ownScheduler ? new ThreadScheduler("arithmospora-hub") : b.scheduler;
    this.ticker = b.ticker;
    this.rateIntervalNanos = settings.maxStatRate() > 0 ? (long) (1e9 / settings.maxStatRate()) : 0;
    for (DropReason r : DropReason.values()) {
      drops.put(r, new AtomicLong());
    }
    for (Source s : b.sources) {
      if (channels.containsKey(s.name())) {
        throw new IllegalArgumentException("two sources are named '" + s.name() + "'");
      }
      Channel c = new Channel(s);
      channels.put(s.name(), c);
      channelList.add(c);
    }
  }

  /** A builder for a hub with these settings. */
  public static Builder builder(DeliverySettings settings) {
    return new Builder(settings);
  }

  /** The settings it was built with. */
  public DeliverySettings settings() {
    return settings;
  }

  /** Starts listening to its sources and keeping its clients alive. */
  public void start() {
    long now = nanoTime();
    nextHousekeeping = now;
    dropLogPeriodStart = now;
    for (Channel c : channelList) {
      c.start();
    }
    scheduleTick();
  }

  /**
   * Stops listening to the sources and stops the hub's thread (when it made its own). Clients are
   * not closed: their transports do that.
   */
  public void stop() {
    stopped = true;
    for (Channel c : channelList) {
      c.source.removeListener(c);
    }
    Scheduler.Cancellable t = tick;
    if (t != null) {
      t.cancel();
    }
    if (ownScheduler) {
      ((ThreadScheduler) scheduler).close();
    }
  }

  /** Whether a source of this name is served: where transports route a new client. */
  public boolean serves(String sourceName) {
    return channels.containsKey(sourceName);
  }

  /** The names of the sources served, in the order given. */
  public List<String> sourceNames() {
    return channelList.stream().map(c -> c.source.name()).toList();
  }

  /**
   * A client of the named source arrived on {@code transport}: from now on the hub sends it {@code
   * available}, its snapshot and every change. Any thread.
   *
   * <p>When {@code max_connections} is reached the hub closes the transport with 1013 (try again
   * later) instead.
   *
   * @return the handle the transport reports the client's acknowledgements and departure to
   * @throws IllegalArgumentException when no source has that name
   */
  public Connection connect(String sourceName, Transport transport) {
    return connect(sourceName, transport, -1);
  }

  /**
   * A client that already holds every message up to {@code resumeAfter} (a {@link
   * OutboundMessage#sequence()} this JVM made) came back: as {@link #connect(String, Transport)},
   * but its snapshot holds only the stats that changed since. Stats are state, not a log: the
   * newest version of each stat that changed is all a client needs to be current again. A milestone
   * met while it was away is not sent again.
   *
   * @param resumeAfter the sequence of the last message the client had, or -1 for none
   */
  public Connection connect(String sourceName, Transport transport, long resumeAfter) {
    Channel channel = channels.get(sourceName);
    if (channel == null) {
      throw new IllegalArgumentException("no source is named '" + sourceName + "'");
    }
    Connection c = new Connection(this, channel, Objects.requireNonNull(transport), settings);
    c.resumeAfter = resumeAfter;
    c.lastHeardNanos = nanoTime();
    execute(() -> admit(c));
    return c;
  }

  // ---- what transports report, through Connection ----

  /**
   * Takes the acknowledgements that arrived since the last tick. They come by the thousand a second
   * from transport threads: each connection keeps its newest in an inbox ({@link
   * Connection#acknowledged}), and the hub takes them all on its next tick (within {@link #TICK}),
   * without waking its thread for each.
   */
  private void drainAcks(long now) {
    Connection c;
    while ((c = ackInbox.poll()) != null) {
      c.leaveInbox();
      boolean acked = false;
      for (int unknown = c.takeUnknownAcks(); unknown > 0; unknown--) {
        acked |= !c.closed && c.window.acknowledged(Connection.UNKNOWN_TOKEN, now);
      }
      long token = c.takeAck();
      long rtt = c.takeRoundTrip();
      long writeDelay = c.takeWriteDelay();
      long arrivedAt = c.takeArrivedAt();
      // Timed to its arrival, not to this tick: neither the server's late reading nor the wait
      // for the tick is the client's.
      long at = arrivedAt < 0 ? now : Math.min(now, arrivedAt);
      if (token >= 0) {
        acked |= !c.closed && c.window.acknowledged(token, now, at, rtt, writeDelay);
      }
      if (acked) {
        pump(c, now);
      }
    }
  }

  /** Puts {@code c} in the inbox of connections with acknowledgements to take. */
  void enqueueAcks(Connection c) {
    ackInbox.add(c);
  }

  void disconnected(Connection c) {
    execute(() -> unregister(c));
  }

  /** What a client said, parsed on its transport's thread: acted on on the hub's. */
  void clientSaid(Connection c, ClientMessage m) {
    execute(() -> protocol2.act(c, m));
  }

  long nanoTime() {
    return ticker.getAsLong();
  }

  Instant now() {
    return scheduler.now();
  }

  // ---- figures, from any thread ----

  /** Clients connected to every source. */
  public int connectedClients() {
    return connected.get();
  }

  /** Clients connected to the named source; 0 for an unknown name. */
  public int connectedClients(String sourceName) {
    Channel c = channels.get(sourceName);
    return c == null ? 0 : c.connected.get();
  }

  /** Clients admitted to the named source so far; 0 for an unknown name. */
  public long connects(String sourceName) {
    Channel c = channels.get(sourceName);
    return c == null ? 0 : c.connects.get();
  }

  /**
   * Admitted clients of the named source that have gone so far, for any reason: they left, their
   * connection broke, they were dropped ({@link #clientsDropped(DropReason)}) or the server
   * stopped.
   */
  public long disconnects(String sourceName) {
    Channel c = channels.get(sourceName);
    return c == null ? 0 : c.disconnects.get();
  }

  /** Messages handed to transports so far (one per client per message). */
  public long messagesSent() {
    return messagesSent.get();
  }

  /** Bytes handed to transports so far, framing included. */
  public long bytesSent() {
    return bytesSent.get();
  }

  /** Older versions of a stat that a newer one replaced before a client received them. */
  public long messagesConflated() {
    return conflated.get();
  }

  /** Clients that have messages waiting for them in the hub (their window or rate cap is full). */
  public int clientsWaiting() {
    return waiting.get();
  }

  /** Requests for acknowledgement sent to clients (websocket pings), keep-alives included. */
  public long acknowledgementsRequested() {
    return ackRequests.get();
  }

  /** Clients dropped, for any reason. */
  public long clientsDropped() {
    return drops.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Clients dropped for {@code reason}. */
  public long clientsDropped(DropReason reason) {
    return drops.get(reason).get();
  }

  /** Clients whose connection was closed because their access ended (their token expired). */
  public long clientsExpired() {
    return expired.get();
  }

  /** Clients refused because {@code max_connections} was reached. */
  public long clientsRefused() {
    return refused.get();
  }

  /** Whether the hub's thread runs a task within {@code timeout}: a liveness check. */
  public boolean isResponsive(Duration timeout) {
    if (stopped) {
      return false;
    }
    try {
      scheduler.callAndWait(() -> null, timeout);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      return false;
    }
  }

  /**
   * One client's flow control now, for tests and diagnostics: bytes in flight, its window, messages
   * waiting, requests for acknowledgement outstanding. Waits for the hub's thread.
   */
  public FlowState flowState(Connection c) {
    try {
      return scheduler.callAndWait(
          () -> {
            c.window.written(c.transport.bytesWritten());
            return new FlowState(
                c.window.inFlight(),
                c.window.unwritten(),
                c.window.window(),
                c.pending.size(),
                c.window.outstanding(),
                c.window.bytesPerSecond());
          },
          FLOW_STATE_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking for a flow state", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the hub's thread did not answer: " + e, e);
    }
  }

  /**
   * One client's flow control at a moment.
   *
   * @param bytesInFlight handed to the transport and not yet acknowledged
   * @param bytesUnwritten of those, what the transport has not written yet (the server's own
   *     backlog; 0 for a transport that cannot tell)
   * @param windowBytes the most it may have written and unacknowledged now, and the most it may
   *     have unwritten
   * @param messagesWaiting messages waiting for it in the hub, one per stat at most
   * @param acksOutstanding requests for acknowledgement not yet answered
   * @param bytesPerSecond its measured reading rate, or -1 before it was measured
   */
  public record FlowState(
      long bytesInFlight,
      long bytesUnwritten,
      long windowBytes,
      int messagesWaiting,
      int acksOutstanding,
      double bytesPerSecond) {}

  // ---- hub thread ----

  private void execute(Runnable task) {
    try {
      scheduler.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.error("Hub task failed", e);
            }
          });
    } catch (RejectedExecutionException e) {
      // Stopping: nothing left to do for clients.
    }
  }

  private void scheduleTick() {
    if (!stopped) {
      tick = scheduler.schedule(TICK, this::tick);
    }
  }

  private void admit(Connection c) {
    if (stopped) {
      return;
    }
    if (settings.maxConnections() > 0 && clients.size() >= settings.maxConnections()) {
      refused.incrementAndGet();
      c.closed = true;
      c.transport.close(1013, "server full");
      return;
    }
    long now = nanoTime();
    c.registered = true;
    clients.add(c);
    c.channel.clients.add(c);
    c.channel.connected.incrementAndGet();
    c.channel.connects.incrementAndGet();
    connected.incrementAndGet();
    c.window.start(now);
    offer(c, c.channel.available, now);
    if (settings.snapshotDelay().isZero()) {
      sendSnapshot(c, now);
    } else {
      c.snapshotDueNanos = now + settings.snapshotDelay().toNanos();
      awaitingSnapshot.add(c);
    }
  }

  private void unregister(Connection c) {
    if (c.closed && !c.registered) {
      return;
    }
    c.closed = true;
    if (c.registered) {
      c.registered = false;
      clients.remove(c);
      c.channel.clients.remove(c);
      c.channel.connected.decrementAndGet();
      c.channel.disconnects.incrementAndGet();
      connected.decrementAndGet();
    }
    c.pending.clear();
    countWaiting(c);
    retryEachTick(c, false);
  }

  /** Deltas made (once per base version and target) and sent (once per client). */
  public long deltasMade() {
    return protocol2.deltasMade();
  }

  /** Stat messages sent to protocol-2 clients as deltas rather than whole. */
  public long deltasSent() {
    return protocol2.deltasSent();
  }

  private void sendSnapshot(Connection c, long now) {
    c.snapshotSent = true;
    c.inSnapshot = true;
    for (OutboundMessage m : c.channel.current) {
      if (m != null && m.sequence() > c.resumeAfter) {
        for (OutboundMessage v : Protocol2.forClient(c, m)) {
          if (protocol2.stillNeeds(c, v)) {
            offer(c, v, now);
          }
        }
      }
    }
    c.inSnapshot = false;
    if (c.pending.isEmpty() && !c.closed) {
      c.transport.caughtUp(c.channel.latestSequence);
      c.unflushed = true;
      touch(c);
    }
  }

  /** Hands a message to a client now if its window and rate cap allow, else keeps it waiting. */
  void offer(Connection c, OutboundMessage m, long now) {
    if (c.closed) {
      return;
    }
    c.window.written(c.transport.bytesWritten());
    if (c.pending.isEmpty() && c.window.isOpen() && rateAllows(c, m, now)) {
      send(c, m, now);
      return;
    }
    if (c.pending.put(m)) {
      conflated.incrementAndGet();
    }
    pump(c, now);
  }

  /** Sends what waits for a client, oldest first, while its window and rate cap allow. */
  private void pump(Connection c, long now) {
    c.rateWaiting = false;
    c.window.written(c.transport.bytesWritten());
    Iterator<OutboundMessage> it = c.pending.iterator();
    while (it.hasNext() && c.window.isOpen()) {
      OutboundMessage m = it.next();
      if (!rateAllows(c, m, now)) {
        c.rateWaiting = true;
        continue;
      }
      it.remove();
      send(c, m, now);
    }
    // Held back by the client's part of the window: that measures the client. Held back by the
    // server's own backlog: it reopens as the transport writes, which the tick watches.
    boolean serverShut = false;
    if (!c.pending.isEmpty()) {
      if (c.window.shutByClient()) {
        c.window.limited();
      } else {
        serverShut = c.window.shutByServer();
      }
    }
    retryEachTick(c, c.rateWaiting || serverShut);
    countWaiting(c);
    touch(c);
  }

  /**
   * Says whether the tick is to pump {@code c}; the list is added to only when it is not in it. A
   * pump runs for every message to every waiting client: a set operation each time was a tenth of
   * the hub thread's time with 10,000 clients, and copying the set each tick another tenth (JFR,
   * 2026-12-03).
   */
  private void retryEachTick(Connection c, boolean retry) {
    c.retrying = retry;
    if (retry && !c.retryListed) {
      c.retryListed = true;
      retryEachTick.add(c);
    }
  }

  /** Keeps {@link #clientsWaiting()} in step with whether {@code c} has messages waiting. */
  void countWaiting(Connection c) {
    boolean isWaiting = !c.pending.isEmpty();
    if (isWaiting != c.counted) {
      c.counted = isWaiting;
      waiting.addAndGet(isWaiting ? 1 : -1);
    }
  }

  private boolean rateAllows(Connection c, OutboundMessage m, long now) {
    return c.nextAllowed == null || m.statIndex() < 0 || now - c.nextAllowed[m.statIndex()] >= 0;
  }

  private void send(Connection c, OutboundMessage m, long now) {
    int bytes = c.transport.send(c.protocol == 2 ? protocol2.wire(c, m) : m);
    if (c.nextAllowed != null && m.statIndex() >= 0) {
      long own = c.statIntervalNanos == null ? 0 : c.statIntervalNanos[m.statIndex()];
      c.nextAllowed[m.statIndex()] = now + Math.max(rateIntervalNanos, own);
    }
    handedOver(c, 1, bytes, now);
  }

  /**
   * Whether {@code c} takes {@code round} as one piece: nothing waits for it, no rate cap applies,
   * and the whole round fits in its window. A client with a small window (a slow one) gets the
   * messages one by one instead, and what does not fit waits where it can be conflated.
   */
  private boolean takesWhole(Connection c, OutboundRound round) {
    if (c.closed || !c.pending.isEmpty() || c.nextAllowed != null || c.statIntervalNanos != null) {
      return false;
    }
    c.window.written(c.transport.bytesWritten());
    return c.window.fits(round.sizeAtMost());
  }

  /**
   * Hands a whole round to a client that keeps up: one piece for the transport to queue, the same
   * for every such client, instead of a message each: with the 9 messages of a vote, one entry in
   * its transport's queue rather than 9.
   */
  private void sendRound(Connection c, OutboundRound round, long now) {
    handedOver(c, round.messages().size(), c.transport.sendRound(round), now);
  }

  private void handedOver(Connection c, int messages, int bytes, long now) {
    c.window.sent(bytes, now);
    c.window.written(c.transport.bytesWritten());
    c.unflushed = true;
    messagesSent.addAndGet(messages);
    bytesSent.addAndGet(bytes);
    if (c.snapshotSent && !c.inSnapshot && c.pending.isEmpty()) {
      c.transport.caughtUp(c.channel.latestSequence);
    }
    // Within a burst too: a request behind a whole window would measure the backlog, not the
    // client.
    if (c.window.wantsAck(false)) {
      requestAck(c, now);
    }
    touch(c);
  }

  /**
   * Marks a client for the end of the current batch of tasks, when what was queued for it leaves in
   * one flush (one write for all the stats one update changed) with a request for acknowledgement
   * where one is due.
   */
  private void touch(Connection c) {
    if (!c.touched) {
      c.touched = true;
      toFlush.add(c);
      if (toFlush.size() == 1) {
        execute(this::flush);
      }
    }
  }

  private void flush() {
    long now = nanoTime();
    for (Connection c : toFlush) {
      c.touched = false;
      if (c.closed) {
        continue;
      }
      if (c.window.wantsAck(!c.pending.isEmpty())) {
        requestAck(c, now);
      }
      if (c.unflushed) {
        c.unflushed = false;
        c.transport.flush();
      }
    }
    toFlush.clear();
  }

  private void requestAck(Connection c, long now) {
    c.transport.requestAck(c.window.request(now));
    ackRequests.incrementAndGet();
    c.unflushed = true;
  }

  private void tick() {
    try {
      long now = nanoTime();
      drainAcks(now);
      Connection due;
      while ((due = awaitingSnapshot.peek()) != null && due.snapshotDueNanos - now <= 0) {
        awaitingSnapshot.poll();
        if (!due.closed) {
          sendSnapshot(due, now);
        }
      }
      if (!retryEachTick.isEmpty()) {
        ArrayList<Connection> retrying = retryEachTick;
        retryEachTick = retrySpare;
        retrySpare = retrying;
        for (int i = 0; i < retrying.size(); i++) {
          Connection c = retrying.get(i);
          c.retryListed = false;
          if (c.retrying && !c.closed) {
            pump(c, now); // lists it again while it still waits
          }
        }
        retrying.clear();
      }
      if (now - nextHousekeeping >= 0) {
        nextHousekeeping = now + HOUSEKEEPING_NANOS;
        housekeeping(now);
      }
      // What the tick sent leaves now, not in a task of its own.
      flush();
    } catch (RuntimeException e) {
      log.error("Hub tick failed", e);
    } finally {
      scheduleTick();
    }
  }

  private void housekeeping(long now) {
    long pongWait = settings.pongWait().toNanos();
    long writeWait = settings.writeWait().toNanos();
    long pingPeriod = settings.pingPeriod().toNanos();
    List<Connection> silent = new ArrayList<>();
    List<Connection> stuck = new ArrayList<>();
    List<Connection> expiring = new ArrayList<>();
    for (Connection c : clients) {
      SendWindow w = c.window;
      if (now - c.accessEndsNanos >= 0) {
        expiring.add(c);
      } else if (now - c.lastHeardNanos > pongWait) {
        silent.add(c);
      } else if (w.stuck(writeWait, now)) {
        stuck.add(c);
      } else if (w.idleFor(pingPeriod, now)) {
        requestAck(c, now);
        touch(c);
      }
    }
    silent.forEach(c -> drop(c, DropReason.SILENT, now));
    stuck.forEach(c -> drop(c, DropReason.STUCK, now));
    for (Connection c : expiring) {
      // Not a fault of the client's: it closes in order, and a client that renews its token
      // reconnects at once. Counted, not logged: tokens of a whole audience can end together.
      expired.incrementAndGet();
      log.debug("Closing client {}: its token expired", c);
      c.transport.close(POLICY_VIOLATION, "token expired");
      unregister(c);
    }
    // The count of drops not logged one by one is said at the end of its period, even when no
    // drop follows to trigger it.
    endDropLogPeriodIfDue(now);
  }

  private void endDropLogPeriodIfDue(long now) {
    if (now - dropLogPeriodStart <= DROP_LOG_PERIOD_NANOS) {
      return;
    }
    if (dropsNotLogged > 0) {
      log.info(
          "{} more clients were dropped in the last {} s",
          dropsNotLogged,
          TimeUnit.NANOSECONDS.toSeconds(now - dropLogPeriodStart));
    }
    dropLogPeriodStart = now;
    dropsLoggedInPeriod = 0;
    dropsNotLogged = 0;
  }

  private void drop(Connection c, DropReason reason, long now) {
    String text = reason.describe(settings);
    drops.get(reason).incrementAndGet();
    endDropLogPeriodIfDue(now);
    if (dropsLoggedInPeriod++ < DROP_LOG_BURST) {
      log.info("Dropping client {}: {}", c, text);
    } else {
      dropsNotLogged++;
    }
    c.transport.abort(text);
    unregister(c);
  }

  /** One source's clients and the newest message of each of its stats. */
  final class Channel implements SourceListener {
    final Source source;
    final OutboundMessage available;

    /** The newest message of each stat, by stat index; null until the stat has one. */
    final OutboundMessage[] current;

    // The newest sequence among current: a client handed every current message holds all to it.
    long latestSequence = -1;

    private final Map<String, Integer> statIndex = new HashMap<>();
    final Set<Connection> clients = new LinkedHashSet<>();
    final AtomicInteger connected = new AtomicInteger();
    final AtomicLong connects = new AtomicLong();
    final AtomicLong disconnects = new AtomicLong();

    Channel(Source source) {
      this.source = source;
      EncodedMessage a = source.availableMessage();
      this.available = new OutboundMessage(a, a.event(), -1);
      List<? extends Stat> stats = source.stats();
      this.current = new OutboundMessage[stats.size()];
      for (int i = 0; i < stats.size(); i++) {
        statIndex.put(stats.get(i).definition().eventName(), i);
      }
    }

    int statCount() {
      return current.length;
    }

    /** The position of the stat with this event name, or null. */
    Integer statIndex(String event) {
      return statIndex.get(event);
    }

    // Per stat, its latest versions, newest last: what a resuming client may hold. Hub thread.
    private final Map<Integer, ArrayDeque<OutboundMessage>> recent = new HashMap<>();

    /**
     * The message of stat {@code i} (its subtree at {@code path}, when not null) with this version,
     * if it is among the latest; else null.
     */
    OutboundMessage recent(int i, String path, String version) {
      ArrayDeque<OutboundMessage> r = recent.get(i);
      if (r != null) {
        for (OutboundMessage m : r) {
          OutboundMessage v = path == null ? m : m.subtree(path);
          if (v != null && v.version().equals(version)) {
            return v;
          }
        }
      }
      return null;
    }

    /** The event name of stat {@code i}. */
    String eventName(int i) {
      return source.stats().get(i).definition().eventName();
    }

    // Protocol 2's "milestones so far", made again only after a milestone is met. Hub thread.
    private OutboundMessage milestonesSoFar;

    OutboundMessage milestonesSoFar() {
      if (milestonesSoFar == null) {
        milestonesSoFar =
            new OutboundMessage(
                WireFormat.milestones(source.milestonesMet()), WireFormat.MILESTONES, -1);
      }
      return milestonesSoFar;
    }

    void start() {
      // Listen first, then read what is current: a change in between arrives as an event, and
      // sequence numbers keep the newer message whichever comes first.
      source.addListener(this);
      List<OutboundMessage> initial = new ArrayList<>();
      for (Stat stat : source.stats()) {
        stat.message().ifPresent(m -> initial.add(stat(m)));
      }
      execute(() -> initial.forEach(this::update));
    }

    private OutboundMessage stat(EncodedMessage m) {
      Integer index = statIndex.get(m.event());
      // asOf: the source hands a stat over as soon as it has read it.
      return new OutboundMessage(m, m.event(), index == null ? -1 : index, Instant.now());
    }

    // The changes of the round of reading under way, for a source that reports rounds. The
    // source's thread only.
    private List<OutboundMessage> round = new ArrayList<>();

    @Override
    public void statChanged(Stat stat, EncodedMessage message) {
      OutboundMessage m = stat(message);
      if (source.reportsRounds()) {
        round.add(m);
      } else {
        execute(() -> fanOut(m));
      }
    }

    @Override
    public void roundComplete() {
      List<OutboundMessage> done = round;
      round = new ArrayList<>();
      if (!done.isEmpty()) {
        execute(() -> fanOutRound(done));
      }
    }

    /**
     * One round's changes and milestones, together: to a protocol-2 client that keeps up, in one
     * {@code batch} frame, made once for every client holding the same versions; to the others one
     * after the other in one flush, and so in one write when the transport gathers. A client with
     * messages waiting or a rate cap gets them one by one into its queue, where conflation keeps
     * the newest.
     */
    private void fanOutRound(List<OutboundMessage> done) {
      List<OutboundMessage> changed = new ArrayList<>();
      for (OutboundMessage m : done) {
        if (m.statIndex() < 0) {
          milestonesSoFar = null;
          changed.add(m);
        } else if (update(m)) {
          changed.add(m);
        }
      }
      if (changed.isEmpty()) {
        return;
      }
      long now = nanoTime();
      Map<List<OutboundMessage>, OutboundMessage> batches = new HashMap<>();
      OutboundRound whole = changed.size() > 1 ? new OutboundRound(changed) : null;
      for (Connection c : clients) {
        if (c.protocol != 2) {
          if (whole != null && c.snapshotSent && takesWhole(c, whole)) {
            sendRound(c, whole, now);
            continue;
          }
          // One after the other in this one task, so in one flush; nothing to build per client.
          for (OutboundMessage m : changed) {
            if (m.statIndex() < 0 || c.snapshotSent) {
              offer(c, m, now);
            }
          }
          continue;
        }
        List<OutboundMessage> mine = new ArrayList<>();
        for (OutboundMessage m : changed) {
          // Milestones go to every client; stats to those past their snapshot, as they asked.
          if (m.statIndex() < 0) {
            mine.add(m);
          } else if (c.snapshotSent) {
            mine.addAll(Protocol2.forClient(c, m));
          }
        }
        if (mine.size() > 1
            && c.pending.isEmpty()
            && c.statIntervalNanos == null
            && c.nextAllowed == null
            && !c.closed) {
          c.window.written(c.transport.bytesWritten());
          if (c.window.isOpen()) {
            List<OutboundMessage> wire = new ArrayList<>(mine.size());
            for (OutboundMessage m : mine) {
              wire.add(protocol2.wire(c, m));
            }
            OutboundMessage batch =
                batches.computeIfAbsent(
                    wire,
                    w -> {
                      List<EncodedMessage> parts = new ArrayList<>(w.size());
                      w.forEach(x -> parts.add(x.message()));
                      EncodedMessage b = WireFormat.batch(parts);
                      return new OutboundMessage(b, "batch#" + b.sequence(), -1);
                    });
            send(c, batch, now);
            continue;
          }
        }
        for (OutboundMessage m : mine) {
          offer(c, m, now);
        }
      }
    }

    @Override
    public void milestoneAchieved(Achievement achievement, EncodedMessage message) {
      // A unique key: milestones are events, never replaced by a later one.
      OutboundMessage m = new OutboundMessage(message, "milestone#" + message.sequence(), -1);
      if (source.reportsRounds()) {
        // After the change that met it, in the same round.
        round.add(m);
        return;
      }
      execute(
          () -> {
            milestonesSoFar = null;
            long now = nanoTime();
            for (Connection c : clients) {
              offer(c, m, now);
            }
          });
    }

    /** Keeps the message as its stat's newest and hands it to every client with a snapshot. */
    private void fanOut(OutboundMessage m) {
      if (update(m)) {
        long now = nanoTime();
        for (Connection c : clients) {
          if (!c.snapshotSent) {
            continue;
          }
          if (c.protocol != 2) {
            offer(c, m, now);
          } else {
            for (OutboundMessage v : Protocol2.forClient(c, m)) {
              offer(c, v, now);
            }
          }
        }
      }
    }

    private boolean update(OutboundMessage m) {
      if (m.statIndex() < 0) {
        return false;
      }
      OutboundMessage existing = current[m.statIndex()];
      if (existing != null && existing.sequence() >= m.sequence()) {
        return false;
      }
      current[m.statIndex()] = m;
      ArrayDeque<OutboundMessage> r =
          recent.computeIfAbsent(m.statIndex(), k -> new ArrayDeque<>());
      r.addLast(m);
      if (r.size() > OutboundMessage.MAX_DELTAS) {
        r.removeFirst();
      }
      latestSequence = Math.max(latestSequence, m.sequence());
      return true;
    }
  }

  /** Builds a {@link Hub}. Not thread-safe. */
  public static final class Builder {
    private final DeliverySettings settings;
    private final List<Source> sources = new ArrayList<>();
    private Scheduler scheduler;
    private LongSupplier ticker = System::nanoTime;

    private Builder(DeliverySettings settings) {
      this.settings = Objects.requireNonNull(settings);
    }

    /** Serves {@code source} under its name. */
    public Builder source(Source source) {
      sources.add(Objects.requireNonNull(source));
      return this;
    }

    /**
     * Runs the hub's work on {@code scheduler}, whose time is {@code nanoTime} (monotonic
     * nanoseconds). By default the hub has a thread of its own and {@link System#nanoTime()}. Tests
     * pass a {@link org.arithmospora.core.ManualScheduler} and its virtual clock.
     */
    public Builder scheduler(Scheduler scheduler, LongSupplier nanoTime) {
      this.scheduler = Objects.requireNonNull(scheduler);
      this.ticker = Objects.requireNonNull(nanoTime);
      return this;
    }

    /**
     * Builds the hub (not started).
     *
     * @throws IllegalArgumentException when no source is given or two share a name
     */
    public Hub build() {
      if (sources.isEmpty()) {
        throw new IllegalArgumentException("a hub needs at least one source");
      }
      return new Hub(this);
    }
  }
}
