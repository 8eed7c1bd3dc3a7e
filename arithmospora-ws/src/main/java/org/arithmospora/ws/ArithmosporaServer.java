package org.arithmospora.ws;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
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
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import org.arithmospora.core.Source;
import org.arithmospora.hub.Hub;
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

  /** How often connections left with frames but no write interest are looked for. */
  private static final long RESCUE_PERIOD_MILLIS = 250;

  private final WebSocketSettings settings;
  private final Hub hub;
  private final List<Endpoint> endpoints = new ArrayList<>();
  private final List<Draft> drafts;
  private final java.util.concurrent.atomic.AtomicLong rescued =
      new java.util.concurrent.atomic.AtomicLong();
  private ScheduledExecutorService rescuer;
  // Clients the server closed for what they sent, by close code: counted, and said every 10 s.
  private final Map<Integer, LongAdder> clientErrors = new ConcurrentHashMap<>();
  private final Map<Integer, Long> clientErrorsSaid = new HashMap<>();
  private volatile int port;
  private volatile boolean running;
  private volatile boolean stopped;

  private ArithmosporaServer(WebSocketSettings settings, List<Source> sources) {
    this.settings = settings;
    Hub.Builder b = Hub.builder(settings.delivery());
    sources.forEach(b::source);
    this.hub = b.build();
    this.drafts = Collections.<Draft>singletonList(new ServerDraft(settings.maxInboundBytes()));
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
    // Runs until stop() shuts the executor down; the task catches its own failures.
    ScheduledFuture<?> unused =
        rescuer.scheduleWithFixedDelay(
            this::rescueStrandedFrames,
            RESCUE_PERIOD_MILLIS,
            RESCUE_PERIOD_MILLIS,
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

  /**
   * Java-WebSocket's write routine can turn a connection's write interest off just as the hub
   * queues a frame for it (it finds the queue empty, then clears the interest). Such frames would
   * wait, with the client's window shut, until write_wait dropped it. Ask again for any connection
   * that has frames queued and no write interest.
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
    } catch (RuntimeException ex) {
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

  /** Stops with a five-second wait. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
  }

  /**
   * Whether the server is running and its client-handling thread runs a task within {@code
   * timeout}: a liveness check.
   */
  public boolean isResponsive(Duration timeout) {
    return running && !stopped && hub.isResponsive(timeout);
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
    } catch (RuntimeException e) {
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
    return rescued.get();
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

  /** One Java-WebSocket server (one selector thread): routing, origins, callbacks to the hub. */
  private final class Endpoint extends WebSocketServer {
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final SelectedKeySweeper sweeper;

    Endpoint(ServerSocketChannel channel) {
      super(channel);
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
              ? new TlsFactory(settings.tls().get(), drafts, sweeper)
              : new GatheringChannel.Factory(drafts, sweeper));
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(
        WebSocket conn, Draft draft, ClientHandshake request) throws InvalidDataException {
      String resource = request.getResourceDescriptor();
      int query = resource.indexOf('?');
      String path = query >= 0 ? resource.substring(0, query) : resource;
      String name = path.startsWith("/") ? path.substring(1) : path;
      if (!hub.serves(name)) {
        // Answered with 404 by Java-WebSocket.
        throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "no source at " + path);
      }
      // As the Go program (gorilla/websocket) did: a client that sends no Origin is not a
      // browser page, which is all an Origin policy can tell apart, and is let in.
      String origin = request.getFieldValue("Origin");
      if (!settings.allowedOrigins().isEmpty()
          && origin != null
          && !origin.isEmpty()
          && !settings.allowedOrigins().contains(origin)) {
        throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "origin not allowed");
      }
      conn.setAttachment(name);
      return super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
      if (conn.getAttachment() instanceof String name) {
        WebSocketImpl impl = (WebSocketImpl) conn;
        WebSocketTransport transport = new WebSocketTransport(impl, this::onWriteDemand);
        conn.setAttachment(transport);
        transport.attach(hub.connect(name, transport));
      } else {
        conn.close(CloseFrame.POLICY_VALIDATION, "no source");
      }
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
      if (conn.getAttachment() instanceof WebSocketTransport t) {
        t.closed();
      }
      if (!remote && CLIENT_ERRORS.containsKey(code)) {
        clientErrors.computeIfAbsent(code, c -> new LongAdder()).increment();
      }
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
      // Clients have nothing to say yet (SPEC §5); hearing from them still proves they are alive.
      if (conn.getAttachment() instanceof WebSocketTransport t) {
        t.heard();
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
    private final List<Draft> drafts;
    private final SelectedKeySweeper sweeper;

    TlsFactory(SSLContext context, List<Draft> drafts, SelectedKeySweeper sweeper) {
      super(context);
      this.drafts = drafts;
      this.sweeper = sweeper;
    }

    @Override
    public java.nio.channels.ByteChannel wrapChannel(
        java.nio.channels.SocketChannel channel, java.nio.channels.SelectionKey key)
        throws IOException {
      return new SelectedKeySweeper.SweepingTlsChannel(
          super.wrapChannel(channel, key), (WebSocketImpl) key.attachment(), sweeper);
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter a, Draft d) {
      return OutQueue.newConnection(a, drafts);
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter a, List<Draft> d) {
      return OutQueue.newConnection(a, drafts);
    }
  }

  /** Builds an {@link ArithmosporaServer}. Not thread-safe. */
  public static final class Builder {
    private final WebSocketSettings settings;
    private final List<Source> sources = new ArrayList<>();

    private Builder(WebSocketSettings settings) {
      this.settings = Objects.requireNonNull(settings);
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
      return new ArithmosporaServer(settings, sources);
    }
  }
}
