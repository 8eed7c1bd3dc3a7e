package org.arithmospora.ws;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.arithmospora.core.Achievement;
import org.arithmospora.core.EncodedMessage;
import org.arithmospora.core.Source;
import org.arithmospora.core.SourceListener;
import org.arithmospora.core.Stat;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loop that owns every client: registration, the delayed snapshot, fan-out of each
 * change, conflation for clients that fall behind, keep-alive and dropping. Everything that
 * touches a client's queue runs on the hub's one thread, so clients need no locks, and a change
 * reaches clients in the order the source made it.
 *
 * <p>Java-WebSocket gives each connection an unbounded queue of outgoing buffers
 * ({@code WebSocketImpl.outQueue}) that its selector thread drains into the socket. The hub puts
 * at most {@link WebSocketSettings#maxQueuedFrames()} frames there per client; the rest wait in
 * the client's {@code pending} map, keyed by event, where a newer message of a stat replaces the
 * older one. A client's memory is thus bounded by the number of stats and milestones, however far
 * behind it falls, and it costs others nothing: the frames it holds are shared, read-only views.
 */
final class Hub {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  /** How often backlogged clients are topped up and due snapshots sent. */
  static final long PUMP_INTERVAL_MILLIS = 5;
  /** How often pings, silences and stalled writes are checked. */
  private static final long HOUSEKEEPING_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final WebSocketSettings settings;
  private final ScheduledThreadPoolExecutor thread;
  private final Map<String, Channel> channels = new HashMap<>();
  private final List<Channel> channelList = new ArrayList<>();

  // Hub thread only.
  private final ArrayDeque<Client> awaitingSnapshot = new ArrayDeque<>();
  private final Set<Client> backlogged = new LinkedHashSet<>();
  private final Set<Client> clients = new LinkedHashSet<>();
  private final List<Client> toFlush = new ArrayList<>();
  private Runnable flushScheduler = () -> execute(this::flush);
  private long nextHousekeeping;

  final AtomicInteger connected = new AtomicInteger();
  final AtomicLong messagesSent = new AtomicLong();
  final AtomicLong bytesSent = new AtomicLong();
  final AtomicLong conflated = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  /** Clients whose queued frames had lost their write interest and were asked for again. */
  final AtomicLong rescued = new AtomicLong();

  Hub(WebSocketSettings settings) {
    this.settings = settings;
    // nanoTime has an arbitrary origin, often negative: start from it, not from 0.
    this.nextHousekeeping = System.nanoTime();
    this.thread = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "arithmospora-ws-hub");
      t.setDaemon(true);
      return t;
    });
  }

  /** Adds a source before the server starts; its endpoint is {@code /<name>}. */
  void addSource(Source source) {
    String path = "/" + source.name();
    if (channels.containsKey(path)) {
      throw new IllegalArgumentException("two sources are named '" + source.name() + "'");
    }
    Channel channel = new Channel(source);
    channels.put(path, channel);
    channelList.add(channel);
  }

  /** The channel served at {@code path} (without query string), or null. */
  Channel channel(String path) {
    return channels.get(path);
  }

  List<Channel> channels() {
    return channelList;
  }

  void start() {
    for (Channel c : channelList) {
      c.start();
    }
    thread.scheduleWithFixedDelay(this::guardedTick, PUMP_INTERVAL_MILLIS, PUMP_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
  }

  void stop() {
    for (Channel c : channelList) {
      c.source.removeListener(c);
    }
    thread.shutdownNow();
  }

  private void execute(Runnable task) {
    try {
      thread.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.error("Websocket hub task failed", e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Stopping: nothing left to do for clients.
    }
  }

  // ---- called from Java-WebSocket's threads ----

  /**
   * A connection opened on {@code channel}; {@code writeDemand} tells its selector that it has
   * frames to write.
   */
  void opened(WebSocketImpl conn, Channel channel, java.util.function.Consumer<WebSocketImpl> writeDemand) {
    Client client = new Client(conn, channel, writeDemand);
    conn.setAttachment(client);
    execute(() -> register(client));
  }

  void closed(WebSocketImpl conn) {
    Object attachment = conn.getAttachment();
    if (attachment instanceof Client client) {
      execute(() -> unregister(client));
    }
  }

  void heard(WebSocketImpl conn) {
    Object attachment = conn.getAttachment();
    if (attachment instanceof Client client) {
      client.lastHeardNanos = System.nanoTime();
    }
  }

  // ---- hub thread ----

  /** For benchmarks: a client of {@code channel} on a connection that never opened. */
  Client attach(WebSocketImpl conn, Channel channel) {
    Client client = new Client(conn, channel, c -> { });
    conn.setAttachment(client);
    admit(client);
    return client;
  }

  private void register(Client client) {
    if (!client.conn.isOpen()) {
      return;
    }
    admit(client);
  }

  private void admit(Client client) {
    if (settings.maxConnections() > 0 && clients.size() >= settings.maxConnections()) {
      refused.incrementAndGet();
      client.closed = true;
      client.conn.close(CloseFrame.TRY_AGAIN_LATER, "server full");
      return;
    }
    long now = System.nanoTime();
    clients.add(client);
    client.channel.clients.add(client);
    client.channel.connected.incrementAndGet();
    connected.incrementAndGet();
    client.lastHeardNanos = now;
    client.nextPingNanos = now + settings.pingPeriod().toNanos();
    push(client, client.channel.available);
    client.snapshotDueNanos = now + settings.snapshotDelay().toNanos();
    awaitingSnapshot.add(client);
  }

  private void unregister(Client client) {
    boolean wasRegistered = clients.remove(client);
    client.closed = true;
    if (wasRegistered) {
      client.channel.clients.remove(client);
      client.channel.connected.decrementAndGet();
      connected.decrementAndGet();
    }
    backlogged.remove(client);
    client.pending.clear();
  }

  void sendSnapshot(Client client) {
    client.snapshotSent = true;
    for (String event : client.channel.order) {
      Frame frame = client.channel.current.get(event);
      if (frame != null) {
        offer(client, frame);
      }
    }
  }

  /** Hands a frame to a client: straight to its socket queue, or to its conflating backlog. */
  private void offer(Client client, Frame frame) {
    if (client.closed) {
      return;
    }
    if (client.pending.isEmpty() && client.conn.outQueue.size() < settings.maxQueuedFrames()) {
      push(client, frame);
      return;
    }
    if (client.pending.put(frame.key(), frame) != null) {
      conflated.incrementAndGet();
    }
    backlogged.add(client);
  }

  private void push(Client client, Frame frame) {
    client.conn.outQueue.add(frame.forClient());
    messagesSent.incrementAndGet();
    bytesSent.addAndGet(frame.size());
    // Wake the selector once per client after the tasks queued now: the changes of one update
    // then leave in one write (see GatheringChannel) rather than one each.
    if (!client.flushPending) {
      client.flushPending = true;
      toFlush.add(client);
      if (toFlush.size() == 1) {
        flushScheduler.run();
      }
    }
  }

  /** For benchmarks: flush when told, not on the hub thread. */
  void flushManually() {
    flushScheduler = () -> { };
  }

  void flush() {
    for (Client client : toFlush) {
      client.flushPending = false;
      if (!client.closed) {
        client.writeDemand.accept(client.conn);
      }
    }
    toFlush.clear();
  }

  private void pump(Client client) {
    Iterator<Frame> it = client.pending.values().iterator();
    while (it.hasNext() && client.conn.outQueue.size() < settings.maxQueuedFrames()) {
      Frame frame = it.next();
      it.remove();
      push(client, frame);
    }
  }

  private void guardedTick() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.error("Websocket hub tick failed", e);
    }
  }

  private void tick() {
    long now = System.nanoTime();
    Client due;
    while ((due = awaitingSnapshot.peek()) != null && due.snapshotDueNanos - now <= 0) {
      awaitingSnapshot.poll();
      if (!due.closed) {
        sendSnapshot(due);
      }
    }
    for (Iterator<Client> it = backlogged.iterator(); it.hasNext(); ) {
      Client client = it.next();
      pump(client);
      if (client.pending.isEmpty() || client.closed) {
        it.remove();
      }
    }
    if (now - nextHousekeeping >= 0) {
      nextHousekeeping = now + HOUSEKEEPING_NANOS;
      housekeeping(now);
    }
  }

  private void housekeeping(long now) {
    long pongWait = settings.pongWait().toNanos();
    long writeWait = settings.writeWait().toNanos();
    long pingPeriod = settings.pingPeriod().toNanos();
    List<Client> toDrop = null;
    for (Client client : clients) {
      if (now - client.lastHeardNanos > pongWait) {
        toDrop = add(toDrop, client);
        client.dropReason = "silent for more than " + settings.pongWait().toSeconds() + " s";
        continue;
      }
      ByteBuffer head = client.conn.outQueue.peek();
      if (head == null) {
        client.stalledHead = null;
      } else {
        if (!client.flushPending && !wantsToWrite(client)) {
          // Frames queued, already asked for, but no write interest: the library cleared it just
          // as we queued them (see SelectedKeySweeper). Ask again rather than leave them until
          // the next change.
          rescued.incrementAndGet();
          client.writeDemand.accept(client.conn);
        }
        if (head != client.stalledHead || head.remaining() != client.stalledRemaining) {
          client.stalledHead = head;
          client.stalledRemaining = head.remaining();
          client.stalledSinceNanos = now;
        } else if (now - client.stalledSinceNanos > writeWait) {
          toDrop = add(toDrop, client);
          client.dropReason = "took nothing for more than " + settings.writeWait().toSeconds() + " s";
          continue;
        }
      }
      if (now - client.nextPingNanos >= 0) {
        client.nextPingNanos = now + pingPeriod;
        try {
          client.conn.sendPing();
        } catch (WebsocketNotConnectedException e) {
          // Closing already; its close callback unregisters it.
        }
      }
    }
    if (toDrop != null) {
      toDrop.forEach(c -> drop(c, c.dropReason));
    }
  }

  private static boolean wantsToWrite(Client client) {
    java.nio.channels.SelectionKey key = client.conn.getSelectionKey();
    try {
      return key == null || (key.interestOps() & java.nio.channels.SelectionKey.OP_WRITE) != 0;
    } catch (java.nio.channels.CancelledKeyException e) {
      return true; // Closing: nothing to rescue.
    }
  }

  private static List<Client> add(List<Client> list, Client c) {
    List<Client> l = list == null ? new ArrayList<>() : list;
    l.add(c);
    return l;
  }

  private void drop(Client client, String reason) {
    log.debug("Dropping client {} of '{}': {}", client.conn.getRemoteSocketAddress(), client.channel.source.name(), reason);
    client.conn.closeConnection(CloseFrame.ABNORMAL_CLOSE, reason);
    unregister(client);
    dropped.incrementAndGet();
  }

  boolean isResponsive(java.time.Duration timeout) {
    java.util.concurrent.CompletableFuture<Void> probe = new java.util.concurrent.CompletableFuture<>();
    execute(() -> probe.complete(null));
    try {
      probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  /** Counts for tests: how many frames a client holds in its socket queue and backlog. */
  int[] queued(WebSocketImpl conn) {
    Object attachment = conn.getAttachment();
    if (!(attachment instanceof Client client)) {
      return new int[] {0, 0};
    }
    java.util.concurrent.CompletableFuture<int[]> result = new java.util.concurrent.CompletableFuture<>();
    execute(() -> result.complete(new int[] {client.conn.outQueue.size(), client.pending.size()}));
    return result.join();
  }

  /** One source's endpoint: its clients and the current frame of each of its stats. */
  final class Channel implements SourceListener {
    final Source source;
    final Frame available;
    final List<String> order = new ArrayList<>();
    final Map<String, Frame> current = new HashMap<>();
    final Set<Client> clients = new LinkedHashSet<>();
    final AtomicInteger connected = new AtomicInteger();

    Channel(Source source) {
      this.source = source;
      this.available = Frame.of("available", source.availableMessage());
      for (Stat stat : source.stats()) {
        order.add(stat.definition().eventName());
      }
    }

    void start() {
      // Listen first, then read what is current: a change in between arrives as an event, and
      // sequence numbers keep the newer frame whichever comes first.
      source.addListener(this);
      List<Frame> initial = new ArrayList<>();
      for (Stat stat : source.stats()) {
        stat.message().ifPresent(m -> initial.add(Frame.of(m.event(), m)));
      }
      execute(() -> initial.forEach(this::update));
    }

    @Override
    public void statChanged(Stat stat, EncodedMessage message) {
      Frame frame = Frame.of(message.event(), message);
      execute(() -> fanOut(frame));
    }

    /** Keeps the frame as the stat's current one and hands it to every client. Hub thread. */
    void fanOut(Frame frame) {
      if (update(frame)) {
        deliver(frame);
      }
    }

    /** Hands the frame to every client that has had its snapshot. Hub thread. */
    void deliver(Frame frame) {
      for (Client client : clients) {
        if (client.snapshotSent) {
          offer(client, frame);
        }
      }
    }

    @Override
    public void milestoneAchieved(Achievement achievement, EncodedMessage message) {
      // Unique key: milestones are events, never replaced by a later one.
      Frame frame = Frame.of("milestone#" + message.sequence(), message);
      execute(() -> {
        for (Client client : clients) {
          offer(client, frame);
        }
      });
    }

    private boolean update(Frame frame) {
      Frame existing = current.get(frame.key());
      if (existing != null && existing.sequence() >= frame.sequence()) {
        return false;
      }
      current.put(frame.key(), frame);
      return true;
    }
  }

  /** One connection's state; touched on the hub thread except {@link #lastHeardNanos}. */
  static final class Client {
    final WebSocketImpl conn;
    final Channel channel;
    final java.util.function.Consumer<WebSocketImpl> writeDemand;
    final Map<String, Frame> pending = new java.util.LinkedHashMap<>();
    volatile long lastHeardNanos;
    long nextPingNanos;
    long snapshotDueNanos;
    boolean snapshotSent;
    boolean closed;
    boolean flushPending;
    ByteBuffer stalledHead;
    int stalledRemaining;
    long stalledSinceNanos;
    String dropReason;

    Client(WebSocketImpl conn, Channel channel, java.util.function.Consumer<WebSocketImpl> writeDemand) {
      this.conn = conn;
      this.channel = channel;
      this.writeDemand = writeDemand;
    }
  }
}
