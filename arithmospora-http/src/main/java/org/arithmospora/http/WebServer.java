package org.arithmospora.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import org.arithmospora.core.Source;
import org.arithmospora.hub.Hub;
import org.arithmospora.hub.SourceAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a server, on Netty: {@code /healthz}, {@code /readyz}, {@code /metrics}, {@code
 * /sources}, {@code /sources/<name>}, {@code /sources/<name>/events} and the dashboard (see {@link
 * WebRoutes}). Non-blocking: a server-sent events client is a channel, not a thread, and gets the
 * hub's conflation and flow control like a websocket client.
 *
 * <pre>{@code
 * WebServer web = WebServer.builder(WebSettings.builder().address(new InetSocketAddress(8081)).build())
 *     .source(source)
 *     .hub(hub)                       // for /sources/<name>/events
 *     .readiness(() -> List.of())     // what /readyz reports
 *     .metrics(registry::scrape)      // /metrics, e.g. Micrometer's Prometheus registry
 *     .build();
 * web.start();
 * }</pre>
 */
// Netty's writes and closes return futures by the dozen; a failed write closes the channel, which
// the hub hears through closeFuture(), so the futures that matter have listeners.
@SuppressWarnings("FutureReturnValueIgnored")
public final class WebServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebServer.class);

  /** The largest request accepted: requests here are GETs with a few headers. */
  private static final int MAX_REQUEST_BYTES = 16 * 1024;

  /**
   * The kernel's send buffer per connection. Small, so that an event stream's writes complete only
   * when the client reads (the kernel would otherwise take megabytes a client has not read, where
   * the hub's conflation cannot reach them), and large enough for a page or a snapshot.
   */
  static final int SEND_BUFFER_BYTES = 32 * 1024;

  private final WebSettings settings;
  private final WebRoutes routes;
  private final EventLoopGroup acceptor;
  private final EventLoopGroup workers;
  private volatile Channel listening;

  private WebServer(Builder b) {
    this.settings = b.settings;
    this.routes =
        new WebRoutes(
            settings,
            b.sources,
            b.hub,
            b.liveness,
            b.readiness,
            b.metrics,
            b.websocketPort,
            b.websocketTls,
            b.labels,
            b.access,
            b.drain,
            Long.toString(System.currentTimeMillis(), 36));
    this.acceptor =
        new MultiThreadIoEventLoopGroup(1, threads("accept"), NioIoHandler.newFactory());
    this.workers =
        new MultiThreadIoEventLoopGroup(
            Runtime.getRuntime().availableProcessors(), threads("io"), NioIoHandler.newFactory());
  }

  /** A builder for a server with these settings. */
  public static Builder builder(WebSettings settings) {
    return new Builder(settings);
  }

  /**
   * Binds and starts answering.
   *
   * @throws IllegalStateException naming the address when it cannot be bound
   */
  public void start() {
    if (settings.address().isUnresolved()) {
      close();
      throw new IllegalStateException(
          "cannot listen for HTTP on "
              + settings.address().getHostString()
              + ":"
              + settings.address().getPort()
              + ": the host name does not resolve to an address of this machine");
    }
    ServerBootstrap b =
        new ServerBootstrap()
            .group(acceptor, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.SO_SNDBUF, SEND_BUFFER_BYTES)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    settings
                        .tls()
                        .ifPresent(
                            tls -> {
                              SSLEngine engine = tls.createSSLEngine();
                              engine.setUseClientMode(false);
                              ch.pipeline().addLast("tls", new SslHandler(engine));
                            });
                    ch.pipeline()
                        .addLast(
                            WebRoutes.REQUEST_TIMEOUT,
                            new ReadTimeoutHandler(
                                settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS))
                        .addLast("http", new HttpServerCodec(4096, 8192, 8192))
                        .addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                        .addLast("routes", routes);
                  }
                });
    try {
      listening = b.bind(settings.address()).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      close();
      throw new IllegalStateException(
          "cannot listen for HTTP on " + settings.address() + ": " + e.getMessage(), e);
    }
    log.info(
        "HTTP{} on {}: /healthz /readyz /metrics /sources{}",
        settings.tls().isPresent() ? "S" : "",
        listening.localAddress(),
        settings.dashboard() ? " and the dashboard at /" : "");
  }

  /** The port listened on, once started (the real one when 0 was asked for). */
  public int port() {
    return ((InetSocketAddress) listening.localAddress()).getPort();
  }

  /** Event streams open now. */
  public int eventStreams() {
    return routes.eventStreams();
  }

  /**
   * Drains the event streams for a restart: new ones are refused with 503 from now on, and the open
   * ones are closed in random order over {@code spread}, so that browsers reconnect (and resume) on
   * the other servers without a thundering herd. Returns when the last was closed.
   */
  public void drainStreams(Duration spread) {
    routes.drainStreams(spread);
  }

  /** Stops listening and closes every connection, event streams included. */
  @Override
  public void close() {
    Channel c = listening;
    if (c != null) {
      c.close().syncUninterruptibly();
    }
    routes.closeStreams();
    routes.stopChecks();
    acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static ThreadFactory threads(String role) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "arithmospora-http-" + role + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Builds a {@link WebServer}. */
  public static final class Builder {
    private final WebSettings settings;
    private final Map<String, Source> sources = new LinkedHashMap<>();
    private Hub hub;
    private BooleanSupplier liveness = () -> true;
    private Readiness readiness = Readiness.always();
    private Supplier<String> metrics;
    private final Map<String, Map<String, StatLabel>> labels = new LinkedHashMap<>();
    private int websocketPort = -1;
    private boolean websocketTls;
    private SourceAccess access = SourceAccess.OPEN;
    private BooleanSupplier drain;

    private Builder(WebSettings settings) {
      this.settings = Objects.requireNonNull(settings);
    }

    /** A source for {@code /sources/<name>}. */
    public Builder source(Source source) {
      sources.put(source.name(), source);
      return this;
    }

    /** Every source of {@code list}. */
    public Builder sources(List<? extends Source> list) {
      new ArrayList<>(list).forEach(this::source);
      return this;
    }

    /** The dashboard's names for the stats of {@code sourceName}, keyed {@code <group>:<key>}. */
    public Builder labels(String sourceName, Map<String, StatLabel> statLabels) {
      labels.put(sourceName, Map.copyOf(statLabels));
      return this;
    }

    /** The hub whose clients event streams become; without one there are no event streams. */
    public Builder hub(Hub h) {
      this.hub = Objects.requireNonNull(h);
      return this;
    }

    /**
     * Who may read which source (default: everyone). A private source's snapshot and event stream
     * need a token, in {@code ?token=} or an {@code Authorization: Bearer} header: without one the
     * answer is 401, with one not granting the source 403. A private snapshot is {@code
     * Cache-Control: private}; an event stream is closed when its token expires.
     */
    public Builder access(SourceAccess a) {
      this.access = Objects.requireNonNull(a);
      return this;
    }

    /**
     * Answers {@code POST /drain}, from this machine only: {@code start} begins draining the server
     * (without waiting for it) and says whether this call began it (202) or it had begun already
     * (200). Without it there is no {@code /drain}.
     */
    public Builder drain(BooleanSupplier start) {
      this.drain = Objects.requireNonNull(start);
      return this;
    }

    /** Whether the process's loops are responsive: {@code /healthz} (default: always). */
    public Builder liveness(BooleanSupplier check) {
      this.liveness = Objects.requireNonNull(check);
      return this;
    }

    /** What {@code /readyz} reports (default: always ready). */
    public Builder readiness(Readiness check) {
      this.readiness = Objects.requireNonNull(check);
      return this;
    }

    /**
     * The Prometheus text exposition of {@code /metrics}, e.g. {@code
     * PrometheusMeterRegistry::scrape}; without it {@code /metrics} is 404.
     */
    public Builder metrics(Supplier<String> scrape) {
      this.metrics = Objects.requireNonNull(scrape);
      return this;
    }

    /** The websocket server the dashboard connects to: its port, and whether it is TLS. */
    public Builder dashboardWebsocket(int port, boolean tls) {
      this.websocketPort = port;
      this.websocketTls = tls;
      return this;
    }

    /** The server, not yet started. */
    public WebServer build() {
      return new WebServer(this);
    }
  }
}
