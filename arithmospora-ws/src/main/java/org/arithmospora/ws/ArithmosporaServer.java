package org.arithmospora.ws;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import org.arithmospora.core.Source;
import org.arithmospora.hub.Connection;
import org.arithmospora.hub.Drains;
import org.arithmospora.hub.Hub;
import org.arithmospora.hub.SourceAccess;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.server.DefaultSSLWebSocketServerFactory;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves sources to websocket clients, one endpoint per source at {@code /<name>} (SPEC §5): on
 * connect the {@code available} message, after the snapshot delay every stat, then each change and
 * each milestone as it happens. Every message is framed once and the same bytes reach every client.
 * What each client gets is decided by a {@link Hub}: a client that falls behind has only a small
 * window of bytes on its way to it (acknowledged by websocket pings, which browsers answer
 * themselves) and gets the newest message of each stat next; one that stops reading or answering is
 * dropped.
 *
 * <pre>{@code
 * ArithmosporaServer server = ArithmosporaServer.builder(WebSocketSettings.builder().address(":8080").build())
 *     .source(liveSource)
 *     .build();
 * server.start();
 * ...
 * server.stop(Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>Thread-safe. A server starts once; messages clients send are ignored (they count as signs of
 * life).
 *
 * <p>It holds the server's life cycle and the library's callbacks for each of its endpoints (one
 * Java-WebSocket server per selector thread); the workarounds live in classes of their own.
 */
public final class ArithmosporaServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ArithmosporaServer.class);

  /**
   * How often every connection is looked at for frames left without write interest, when the
   * selected-key sweeper cannot catch them at the end of the round they are left in (another
   * library version). Where it can, the sweep of every connection is only a net, and rarer: with
   * 10,000 clients it was 7 % of the server's profile samples at 250 ms.
   */
  private static final long RESCUE_PERIOD_MILLIS = 250;

  private static final long RESCUE_NET_PERIOD_MILLIS = 1000;

  private final WebSocketSettings settings;
  private final Hub hub;
  private final List<Endpoint> endpoints = new ArrayList<>();
  private final List<Draft> drafts;
  // The draft each connection gets a copy of: its limits and whether it may compress.
  private final ServerDraft serverDraft;
  private final Admissions admissions;
  private final SourceAccess access;
  private final AtomicLong rescued = new AtomicLong();
  private final AcceptPause acceptPause = new AcceptPause();
  private ScheduledExecutorService rescuer;
  // Clients the server closed for what they sent, by close code: counted, and said every 10 s.
  private final Map<Integer, LongAdder> clientErrors = new ConcurrentHashMap<>();
  private final LongAdder pongsDecodedByLibrary = new LongAdder();
  private final Map<Integer, Long> clientErrorsSaid = new HashMap<>();
  private volatile int port;
  private volatile boolean running;
  private volatile boolean stopped;
  private volatile boolean draining;

  private ArithmosporaServer(
      WebSocketSettings settings, List<Source> sources, SourceAccess access) {
    this.settings = settings;
    this.access = access;
    Hub.Builder b = Hub.builder(settings.delivery());
    sources.forEach(b::source);
    this.hub = b.build();
    this.serverDraft = new ServerDraft(settings.maxInboundBytes(), settings.compression());
    this.drafts = Collections.<Draft>singletonList(serverDraft);
    this.admissions =
        new Admissions(
            settings.maxHandshakeBytes(),
            settings.handshakeTimeout().toNanos(),
            settings.delivery().maxConnections(),
            settings.maxConnectionsPerIp(),
            settings.maxHandshakesPerSecond(),
            hub::connectedClients,
            hub::serves);
  }

  /** A builder for a server with the given settings. */
  public static Builder builder(WebSocketSettings settings) {
    return new Builder(settings);
  }

  /**
   * Binds and starts serving; returns once the port is open.
   *
   * <p>Java-WebSocket does every socket write, and accepts one connection per round, on a single
   * selector thread; with thousands of clients that thread is the limit. Where the platform
   * balances connections across sockets sharing a port ({@code SO_REUSEPORT}, Linux), the server
   * runs {@link WebSocketSettings#selectorThreads()} selectors on the same port.
   *
   * @throws IllegalStateException when the address cannot be bound, naming it
   */
  public void start() {
    int count = settings.selectorThreads();
    List<ServerSocketChannel> channels = new ArrayList<>();
    if (settings.address().isUnresolved()) {
      throw new IllegalStateException(
          "cannot listen on "
              + describe(settings.address())
              + ": the host name "
              + settings.address().getHostString()
              + " does not resolve to an address of this machine");
    }
    try {
      InetSocketAddress address = settings.address();
      if (count > 1) {
        // Sockets sharing a port would also share it with another server started on it by
        // mistake: first take the port alone, which fails if anything holds it.
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
          probe.bind(address, 1);
          address =
              new InetSocketAddress(
                  address.getAddress(), ((InetSocketAddress) probe.getLocalAddress()).getPort());
        }
      }
      for (int i = 0; i < count; i++) {
        ServerSocketChannel channel = ServerSocketChannel.open();
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        if (count > 1) {
          channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        channel.bind(address, settings.backlog());
        channels.add(channel);
        // Port 0: the others join the port the first one got.
        address =
            new InetSocketAddress(
                address.getAddress(), ((InetSocketAddress) channel.getLocalAddress()).getPort());
      }
      port = address.getPort();
    } catch (IOException e) {
      channels.forEach(ArithmosporaServer::closeQuietly);
      throw new IllegalStateException(
          "cannot listen on " + describe(settings.address()) + ": " + e.getMessage(), e);
    }
    warnAboutMissingWorkarounds();
    // Loaded now: when descriptors run out there is none to load it with.
    Descriptors.limitText();
    for (ServerSocketChannel channel : channels) {
      endpoints.add(new Endpoint(channel));
    }
    hub.start();
    endpoints.forEach(WebSocketServer::start);
    rescuer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "arithmospora-ws-rescue");
              t.setDaemon(true);
              return t;
            });
    ScheduledFuture<?> unusedSummaries =
        rescuer.scheduleWithFixedDelay(this::sayClientErrors, 10, 10, TimeUnit.SECONDS);
    ScheduledFuture<?> unusedDoors =
        rescuer.scheduleWithFixedDelay(this::keepDoors, 1, 1, TimeUnit.SECONDS);
    // Runs until stop() shuts the executor down; the task catches its own failures.
    ScheduledFuture<?> unused =
        rescuer.scheduleWithFixedDelay(
            this::rescueStrandedFrames,
            rescuePeriodMillis(),
            rescuePeriodMillis(),
            TimeUnit.MILLISECONDS);
    try {
      for (Endpoint e : endpoints) {
        e.started.get(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    } catch (ExecutionException | TimeoutException e) {
      stop(Duration.ofSeconds(1));
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException(
          "cannot listen on " + describe(settings.address()) + ": " + cause.getMessage(), cause);
    }
    running = true;
    log.info(
        "Serving {} source(s) on {}://{}",
        hub.sourceNames().size(),
        settings.tls().isPresent() ? "wss" : "ws",
        describe(new InetSocketAddress(settings.address().getAddress(), port)));
  }

  /** Says, once, which of the Java-WebSocket workarounds this library version does not allow. */
  private static void warnAboutMissingWorkarounds() {
    if (!OutQueue.supported()) {
      log.warn(
          "Java-WebSocket's WebSocketImpl.outQueue cannot be replaced in this version of the library: "
              + "connections keep its locking queue, which is slower with thousands of clients");
    }
    if (!SelectedKeySweeper.supported()) {
      log.warn(
          "Java-WebSocket's WebSocketServer fields 'iqueue' and 'selector' were not found in this version of the "
              + "library: its selected-key set is left as it is, which makes connect storms cost time in proportion "
              + "to the square of their size");
    }
  }

  /** Closes handshakes past their timeout, and starts accepting again where it had to stop. */
  private void keepDoors() {
    try {
      admissions.sweep();
      endpoints.forEach(Endpoint::acceptAgainIfPossible);
    } catch (RuntimeException | LinkageError e) {
      // A LinkageError too: a class first loaded while descriptors are short fails to load, and a
      // periodic task that throws is never run again, so accepting would never resume.
      log.warn("Checking handshakes and accepting failed: {}", e.toString());
    }
  }

  private static long rescuePeriodMillis() {
    return SelectedKeySweeper.supported() ? RESCUE_NET_PERIOD_MILLIS : RESCUE_PERIOD_MILLIS;
  }

  /**
   * Java-WebSocket's write routine can turn a connection's write interest off just as the hub
   * queues a frame for it (it finds the queue empty, then clears the interest). Such frames would
   * wait, with the client's window shut, until write_wait dropped it. The sweeper catches them at
   * the end of that round ({@link SelectedKeySweeper#emptied}); this asks again, now and then, for
   * any connection that has frames queued and no write interest.
   */
  private void rescueStrandedFrames() {
    try {
      for (Endpoint e : endpoints) {
        for (WebSocket ws : e.getConnections()) {
          WebSocketImpl conn = (WebSocketImpl) ws;
          if (!conn.outQueue.isEmpty() && !wantsToWrite(conn)) {
            rescued.incrementAndGet();
            e.onWriteDemand(conn);
          }
        }
      }
    } catch (RuntimeException | LinkageError ex) {
      // As in keepDoors: a periodic task that throws is never run again.
      log.error("Looking for stranded frames failed", ex);
    }
  }

  private static boolean wantsToWrite(WebSocketImpl conn) {
    SelectionKey key = conn.getSelectionKey();
    try {
      return key == null || !key.isValid() || (key.interestOps() & SelectionKey.OP_WRITE) != 0;
    } catch (CancelledKeyException e) {
      return true; // Closing: nothing to rescue.
    }
  }

  private static void closeQuietly(ServerSocketChannel c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // Closing after a failed bind.
    }
  }

  /**
   * Sends every client a going-away close frame, stops listening and waits up to {@code timeout}
   * for the server's threads to finish.
   */
  public void stop(Duration timeout) {
    if (stopped) {
      return;
    }
    stopped = true;
    long each = Math.max(1, timeout.toMillis() / Math.max(1, endpoints.size()));
    try {
      for (Endpoint e : endpoints) {
        e.stop((int) each, "server shutting down");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (rescuer != null) {
        rescuer.shutdownNow();
      }
      hub.stop();
    }
  }

  /**
   * Drains the server for a restart: from now on every handshake is refused with 503 (and {@link
   * #isDraining()} is true, for a readiness check), and the connected clients are closed with 1012
   * (service restart), spread evenly over {@code spread} so that the other servers behind the load
   * balancer take them without a thundering herd. Returns when the last was closed; then {@link
   * #stop(Duration)}.
   */
  public void drain(Duration spread) {
    if (stopped || draining) {
      return;
    }
    draining = true;
    admissions.drain();
    List<WebSocket> all = new ArrayList<>();
    for (Endpoint e : endpoints) {
      all.addAll(e.getConnections());
    }
    log.info(
        "Draining: refusing new clients, closing {} client(s) with 1012 over {} ms",
        all.size(),
        spread.toMillis());
    long started = System.nanoTime();
    Drains.spread(all, spread, c -> c.close(CloseFrame.SERVICE_RESTART, "server restarting"));
    log.info(
        "Drained {} client(s) in {} ms",
        all.size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /** Whether {@link #drain} has begun: new clients are refused, connected ones are being moved. */
  public boolean isDraining() {
    return draining;
  }

  /** Stops with a five-second wait. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
  }

  /**
   * Whether the server is running, still listens, and its client-handling thread runs a task within
   * {@code timeout}: a liveness check. A server that lost its listening socket can serve no new
   * client and needs a restart.
   */
  public boolean isResponsive(Duration timeout) {
    return running
        && !stopped
        && endpoints.stream().allMatch(Endpoint::listens)
        && hub.isResponsive(timeout);
  }

  /**
   * Whether new clients are being accepted: false while the process has no file descriptor left for
   * them (the server tries again every second, and says so in the log), or once the listening
   * socket is lost.
   */
  public boolean isAccepting() {
    return running && !stopped && endpoints.stream().allMatch(Endpoint::accepting);
  }

  /** Connections accepted whose handshake has not ended yet. */
  public int handshakesWaiting() {
    return admissions.waiting();
  }

  /** Handshakes refused with the HTTP {@code status} since the server started. */
  public long handshakesRefused(int status) {
    return admissions.refused(status);
  }

  /** Connections closed because their handshake took longer than {@code handshake_timeout_ms}. */
  public long handshakesTimedOut() {
    return admissions.timedOut();
  }

  /** The statuses a handshake can be refused with, each with what it means. */
  public static Map<Integer, String> handshakeRefusals() {
    return Admissions.reasons();
  }

  /** Times accepting had to stop because the process ran out of file descriptors. */
  public long acceptPauses() {
    return acceptPause.count();
  }

  /**
   * What a client's mistake is called in the summary line, by the close code the server answered it
   * with. A client's mistake is not a server error: no stack trace per client, one line.
   */
  // Ordered by code, for the summary line.
  private static final Map<Integer, String> CLIENT_ERRORS =
      Collections.unmodifiableMap(
          new TreeMap<>(
              Map.of(
                  1002, "protocol errors",
                  1003, "unacceptable data",
                  1007, "invalid UTF-8",
                  1008, "policy violations",
                  1009, "messages over max_message_bytes")));

  /**
   * For tests: pongs that reached Java-WebSocket's decoder rather than being taken out on the
   * selector thread ({@link PongFilter}); over plain connections none should.
   */
  long pongsDecodedByLibrary() {
    return pongsDecodedByLibrary.sum();
  }

  /** The close codes the server answers clients' mistakes with, each with what it means. */
  public static Map<Integer, String> clientErrorCodes() {
    return CLIENT_ERRORS;
  }

  /** Clients closed for what they sent, with {@code code}, since the server started. */
  public long clientsClosedFor(int code) {
    LongAdder n = clientErrors.get(code);
    return n == null ? 0 : n.sum();
  }

  /** One WARN line for the clients closed for their mistakes since the last one, if any. */
  private void sayClientErrors() {
    try {
      List<String> parts = new ArrayList<>();
      for (Map.Entry<Integer, String> e : CLIENT_ERRORS.entrySet()) {
        long total = clientsClosedFor(e.getKey());
        long since = total - clientErrorsSaid.getOrDefault(e.getKey(), 0L);
        clientErrorsSaid.put(e.getKey(), total);
        if (since > 0) {
          parts.add(since + " for " + e.getValue() + " (" + e.getKey() + ")");
        }
      }
      if (!parts.isEmpty()) {
        log.warn(
            "Clients closed for what they sent in the last 10 s: {}", String.join(", ", parts));
      }
    } catch (RuntimeException | LinkageError e) {
      log.warn("Counting clients' errors failed: {}", e.toString());
    }
  }

  /** The port listened on (the one picked, when configured as 0). */
  public int port() {
    return port;
  }

  /** Clients connected to every source. */
  public int connectedClients() {
    return hub.connectedClients();
  }

  /** Clients connected to the named source. */
  public int connectedClients(String sourceName) {
    return hub.connectedClients(sourceName);
  }

  /**
   * The hub that decides what each client gets: its figures (messages sent and conflated, clients
   * waiting and dropped by reason) are the server's.
   */
  public Hub hub() {
    return hub;
  }

  /** Messages handed to clients' sockets so far (one per client per message). */
  public long messagesSent() {
    return hub.messagesSent();
  }

  /** Bytes handed to clients' sockets so far, frame headers included. */
  public long bytesSent() {
    return hub.bytesSent();
  }

  /** Older messages of a stat dropped because a newer one replaced them for a slow client. */
  public long messagesConflated() {
    return hub.messagesConflated();
  }

  /** Clients dropped for not reading ({@code write_wait}) or not answering ({@code pong_wait}). */
  public long clientsDropped() {
    return hub.clientsDropped();
  }

  /** Clients refused because the connection limit was reached. */
  public long clientsRefused() {
    return hub.clientsRefused();
  }

  /** For tests: one client's flow control. */
  Hub.FlowState flowState(WebSocket conn) {
    return hub.flowState(
        ((WebSocketTransport) ((WebSocketImpl) conn).getAttachment()).connection());
  }

  /**
   * For tests: connections whose queued frames had lost their write interest and were asked for
   * again.
   */
  long writesRescued() {
    return rescued.get() + writesRescuedAtRoundEnd();
  }

  /** For tests: those of {@link #writesRescued()} caught at the end of the round they were left. */
  long writesRescuedAtRoundEnd() {
    return endpoints.stream().mapToLong(e -> e.sweeper.rescued()).sum();
  }

  /** For tests: connections whose clients closed them, closed at the end of a selector round. */
  long closedAfterRound() {
    return endpoints.stream().mapToLong(e -> e.sweeper.closedAfterRound()).sum();
  }

  /** For tests: keys left in the selectors' selected-key sets (see {@link SelectedKeySweeper}). */
  int selectedKeysLeftOver() {
    return endpoints.stream().mapToInt(e -> e.sweeper.selectedKeys()).sum();
  }

  List<WebSocket> connections() {
    List<WebSocket> all = new ArrayList<>();
    endpoints.forEach(e -> all.addAll(e.getConnections()));
    return all;
  }

  private static String describe(InetSocketAddress a) {
    String host =
        a.getAddress() == null
            ? a.getHostString()
            : a.getAddress().isAnyLocalAddress() ? "0.0.0.0" : a.getAddress().getHostAddress();
    return host + ":" + a.getPort();
  }

  /**
   * Accepting paused for want of file descriptors, across all selector threads: they run out
   * together, so one WARN when the first stops and one INFO when the last starts again.
   */
  private final class AcceptPause {
    private int endpointsPaused;
    private long since;
    private long count;

    synchronized void paused() {
      if (endpointsPaused++ > 0) {
        return;
      }
      count++;
      since = System.nanoTime();
      log.warn(
          "Cannot accept new clients on {}: this process has no file descriptor left "
              + "(too many open files{}). Connected clients are served as before; trying again "
              + "every second. Raise LimitNOFILE (systemd) or ulimit -n.",
          describe(new InetSocketAddress(settings.address().getAddress(), port)),
          Descriptors.limitText());
    }

    synchronized void resumed() {
      if (endpointsPaused == 0 || --endpointsPaused > 0) {
        return;
      }
      log.info(
          "Accepting new clients again on {}, after {} ms",
          describe(new InetSocketAddress(settings.address().getAddress(), port)),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
    }

    synchronized long count() {
      return count;
    }
  }

  /** One Java-WebSocket server (one selector thread): routing, origins, callbacks to the hub. */
  private final class Endpoint extends WebSocketServer {
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final SelectedKeySweeper sweeper;
    private final ServerSocketChannel listening;
    // Set on the selector thread when accepting stops for want of file descriptors.
    private volatile Selector pausedSelector;

    Endpoint(ServerSocketChannel channel) {
      super(channel);
      this.listening = channel;
      // The constructor for a bound channel takes no worker count: set our own workers.
      decoders.clear();
      for (int i = 0; i < settings.workerThreads(); i++) {
        decoders.add(new WebSocketWorker());
      }
      setTcpNoDelay(true);
      setReuseAddr(true);
      // Keep-alive is the hub's, with separate ping period and pong wait as in the Go program.
      setConnectionLostTimeout(0);
      setDaemon(true);
      // Our factories give each connection our draft, which carries the inbound size limit.
      sweeper = new SelectedKeySweeper(this, drafts);
      setWebSocketFactory(
          settings.tls().isPresent()
              ? new TlsFactory(settings.tls().get(), serverDraft, admissions, sweeper)
              : new GatheringChannel.Factory(serverDraft, admissions, sweeper));
    }

    boolean listens() {
      return listening.isOpen();
    }

    boolean accepting() {
      return listens() && pausedSelector == null;
    }

    /**
     * Before each accept, on the selector thread: is there a file descriptor for it? The library
     * closes its listening socket for good when an accept fails (too many open files: clients were
     * refused until a restart, with nothing logged). Without a descriptor to spare, accepting stops
     * here instead (the library then cancels the listening key) and starts again once one is free.
     */
    @Override
    public boolean onConnect(SelectionKey key) {
      if (Descriptors.free(settings.selectorThreads())) {
        return true;
      }
      if (pausedSelector == null) {
        pausedSelector = key.selector();
        acceptPause.paused();
      }
      return false;
    }

    /** From the server's timer: listens again once a file descriptor is free. */
    void acceptAgainIfPossible() {
      Selector selector = pausedSelector;
      if (selector == null
          || stopped
          || !listening.isOpen()
          || !Descriptors.free(settings.selectorThreads())) {
        return;
      }
      try {
        listening.register(selector, SelectionKey.OP_ACCEPT);
        pausedSelector = null;
        selector.wakeup();
        acceptPause.resumed();
      } catch (CancelledKeyException e) {
        // The cancelled key leaves the selector at its next round: ask for one, try again later.
        selector.wakeup();
      } catch (ClosedChannelException | ClosedSelectorException e) {
        pausedSelector = null;
        acceptPause.resumed();
      }
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(
        WebSocket conn, Draft draft, ClientHandshake request) throws InvalidDataException {
      String name = Admissions.sourceName(request.getResourceDescriptor());
      Admission admission = conn.getAttachment() instanceof Admission a ? a : null;
      if (!hub.serves(name)) {
        // The draft refuses these first; this is for a connection made without one.
        throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "no source at /" + name);
      }
      // As the Go program (gorilla/websocket) did: a client that sends no Origin is not a
      // browser page, which is all an Origin policy can tell apart, and is let in, unless
      // allow_no_origin says otherwise.
      String origin = request.getFieldValue("Origin");
      if (!settings.allowedOrigins().isEmpty()
          && (origin == null || origin.isEmpty())
          && !settings.allowNoOrigin()) {
        if (admission != null) {
          admission.refuse(
              new Admission.Refusal(
                  403, "Forbidden", "no Origin, and allow_no_origin is false", null));
        }
        throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "no origin");
      }
      if (!settings.allowedOrigins().isEmpty()
          && origin != null
          && !origin.isEmpty()
          && !settings.allowedOrigins().contains(origin)) {
        if (admission != null) {
          admission.refuse(
              new Admission.Refusal(
                  403, "Forbidden", "origin " + origin + " is not in allowed_origins", null));
        }
        throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "origin not allowed");
      }
      SourceAccess.Decision decision = SourceAccess.Decision.allowed();
      if (access.isPrivate(name)) {
        decision =
            access.decide(
                name, AccessTokens.token(request), String.valueOf(conn.getRemoteSocketAddress()));
        if (!decision.isAllowed()) {
          if (admission != null) {
            admission.refuse(AccessTokens.refusal(decision));
          }
          throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, decision.reason());
        }
      }
      Admitted admitted = new Admitted(name, decision.expires());
      if (admission != null) {
        admission.admitted(admitted);
      } else {
        conn.setAttachment(admitted);
      }
      return super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
      Admitted admitted = null;
      if (conn.getAttachment() instanceof Admission a) {
        admissions.upgraded(a, conn);
        admitted = a.admitted();
      } else if (conn.getAttachment() instanceof Admitted s) {
        admitted = s;
      }
      if (admitted != null) {
        WebSocketImpl impl = (WebSocketImpl) conn;
        WebSocketTransport transport = new WebSocketTransport(impl, this::onWriteDemand);
        conn.setAttachment(transport);
        Connection client = hub.connect(admitted.source(), transport);
        admitted.accessEnds().ifPresent(client::accessEndsAt);
        transport.attach(client);
      } else {
        conn.close(CloseFrame.POLICY_VALIDATION, "no source");
      }
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
      admissions.closed(conn);
      if (conn.getAttachment() instanceof WebSocketTransport t) {
        t.closed();
      }
    }

    /**
     * The server is about to send a close frame: counted here, not in {@link #onClose}, because the
     * code reaching {@code onClose} is racy. The library queues the close frame before it records
     * the code to close with, so a client that reads the frame and hangs up at once can have its
     * end of stream seen first, and the connection then closes as 1006 from the client. (A test for
     * 1002, repeated 300 times, failed so 2 to 8 times.)
     */
    @Override
    public void onCloseInitiated(WebSocket conn, int code, String reason) {
      if (CLIENT_ERRORS.containsKey(code)) {
        clientErrors.computeIfAbsent(code, c -> new LongAdder()).increment();
      }
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
      // Protocol 1 clients have nothing to say (SPEC §5): the hub ignores what they send, but
      // hearing from them proves they are alive. Protocol 2 clients ask for things.
      if (conn.getAttachment() instanceof WebSocketTransport t) {
        t.received(message);
      }
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
      if (conn.getAttachment() instanceof WebSocketTransport t) {
        t.heard();
      }
    }

    @Override
    public void onWebsocketPong(WebSocket conn, Framedata f) {
      pongsDecodedByLibrary.increment();
      if (conn.getAttachment() instanceof WebSocketTransport t) {
        t.pong(f);
      }
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
      if (conn == null) {
        if (!started.isDone()) {
          started.completeExceptionally(ex);
        } else if (!stopped) {
          log.error("Websocket server failed", ex);
        }
      } else {
        log.debug("Client {}: {}", conn.getRemoteSocketAddress(), ex.toString());
      }
    }

    @Override
    public void onStart() {
      started.complete(null);
    }
  }

  /** TLS connections with our draft. */
  private static final class TlsFactory extends DefaultSSLWebSocketServerFactory {
    private final ServerDraft draft;
    private final Admissions admissions;
    private final SelectedKeySweeper sweeper;

    TlsFactory(
        SSLContext context, ServerDraft draft, Admissions admissions, SelectedKeySweeper sweeper) {
      super(context);
      this.draft = draft;
      this.admissions = admissions;
      this.sweeper = sweeper;
    }

    @Override
    public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) throws IOException {
      WebSocketImpl connection = (WebSocketImpl) key.attachment();
      Admission admission = Handshakes.accepted(connection, channel, admissions);
      return new SelectedKeySweeper.SweepingTlsChannel(
          super.wrapChannel(channel, key), connection, sweeper, admission);
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter a, Draft d) {
      return Handshakes.newConnection(a, draft, admissions);
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter a, List<Draft> d) {
      return Handshakes.newConnection(a, draft, admissions);
    }
  }

  /** Builds an {@link ArithmosporaServer}. Not thread-safe. */
  public static final class Builder {
    private final WebSocketSettings settings;
    private final List<Source> sources = new ArrayList<>();
    private SourceAccess access = SourceAccess.OPEN;

    private Builder(WebSocketSettings settings) {
      this.settings = Objects.requireNonNull(settings);
    }

    /**
     * Who may read which source (default: everyone, every source). A client of a private source
     * presents its token as {@code ?token=} (what a browser can do) or in an {@code Authorization:
     * Bearer} header; without one it is refused with 401, with one that does not grant the source
     * with 403, and its connection is closed (1008) when the token expires.
     */
    public Builder access(SourceAccess access) {
      this.access = Objects.requireNonNull(access);
      return this;
    }

    /** Serves {@code source} at {@code /<name>}. */
    public Builder source(Source source) {
      sources.add(Objects.requireNonNull(source));
      return this;
    }

    /**
     * Builds the server (not started).
     *
     * @throws IllegalArgumentException when no source is given or two share a name
     */
    public ArithmosporaServer build() {
      if (sources.isEmpty()) {
        throw new IllegalArgumentException("a server needs at least one source");
      }
      return new ArithmosporaServer(settings, sources, access);
    }
  }
}
