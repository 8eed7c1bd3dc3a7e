package org.arithmospora.config;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.arithmospora.auth.JwtSourceAccess;
import org.arithmospora.auth.KeyFiles;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.http.Readiness;
import org.arithmospora.http.WebServer;
import org.arithmospora.http.WebSettings;
import org.arithmospora.hub.HubMetrics;
import org.arithmospora.hub.SourceAccess;
import org.arithmospora.redis.RedisMetrics;
import org.arithmospora.redis.RedisStore;
import org.arithmospora.ws.ArithmosporaServer;
import org.arithmospora.ws.TlsContexts;
import org.arithmospora.ws.WebSocketMetrics;
import org.arithmospora.ws.WebSocketSettings;

/**
 * The composition root: turns a {@link Config} into a Redis store, one {@link LiveSource} per
 * source and, when serving, the websocket server and the HTTP side ({@code [web]}). Every part
 * registers its meters in one Prometheus registry, with the JVM's. Closing it stops everything in
 * reverse order.
 */
public final class Assembly implements AutoCloseable {
  /** How long the liveness check waits for each loop to run a task. */
  private static final Duration RESPONSIVE_WITHIN = Duration.ofSeconds(2);

  private final Config config;
  private final RedisStore redis;
  private final List<LiveSource> sources = new ArrayList<>();
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  private final PrometheusMeterRegistry meters =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private volatile ArithmosporaServer server;
  private volatile WebServer web;
  private SourceAccess access;
  private boolean draining;

  private Assembly(Config config) {
    this.config = config;
    this.redis = RedisStore.connect(config.redis());
    new JvmMemoryMetrics().bindTo(meters);
    gcMetrics.bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ClassLoaderMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    new RedisMetrics(redis).bindTo(meters);
  }

  /** Sources for every configured source, not yet started. */
  public static Assembly of(Config config) {
    Assembly a = new Assembly(config);
    for (Config.SourceConfig s : config.sources()) {
      a.sources.add(a.source(s.definition(), s.redisPrefix()));
    }
    return a;
  }

  /** Only the named source (or the first), loaded once or followed. */
  public static Assembly single(Config config, String name, boolean live) {
    Assembly a = new Assembly(config);
    Config.SourceConfig s = config.source(name);
    a.sources.add(a.source(s.definition().withLive(live), s.redisPrefix()));
    return a;
  }

  private LiveSource source(SourceDefinition definition, String prefix) {
    return LiveSource.builder(definition)
        .types(config.types())
        .loader(ConfigLoader.REDIS, redis.loader(prefix))
        .debounce(config.debounce())
        .meters(meters)
        .build();
  }

  /** The sources, in the configuration's order. */
  public List<LiveSource> sources() {
    return List.copyOf(sources);
  }

  /** The websocket server once {@link #startServer()} has built it, else null. */
  public ArithmosporaServer server() {
    return server;
  }

  /** The registry every part's meters are in, for {@code /metrics} or an embedder's own use. */
  public PrometheusMeterRegistry meters() {
    return meters;
  }

  /** The HTTP side once {@link #startWeb()} has built it, else null. */
  public WebServer web() {
    return web;
  }

  /** Starts every source: each loads its stats and then follows them. */
  public void startSources() {
    for (LiveSource s : sources) {
      s.start();
      started.add(s.name());
    }
  }

  /**
   * Whether the process's loops are responsive: the websocket server's, the hub's and every
   * source's each run a task within two seconds. What {@code /healthz} and the systemd watchdog
   * report; a Redis outage does not make a server unhealthy, only unready.
   */
  public boolean isLive() {
    ArithmosporaServer s = server;
    return (s == null || s.isResponsive(RESPONSIVE_WITHIN))
        && sources.stream().allMatch(src -> src.isResponsive(RESPONSIVE_WITHIN));
  }

  /**
   * What stands between this server and its clients: a source still loading or whose latest read
   * did not reach Redis, the subscriber connection to Redis down, accepting paused for want of file
   * descriptors. What {@code /readyz} reports.
   */
  public List<Readiness.NotReady> readiness() {
    List<Readiness.NotReady> failing = new ArrayList<>();
    ArithmosporaServer ws = server;
    if (ws != null && ws.isDraining()) {
      failing.add(
          new Readiness.NotReady(
              "websocket", "draining for a restart: clients are being moved to other servers"));
    } else if (ws != null && !ws.isAccepting()) {
      failing.add(
          new Readiness.NotReady(
              "websocket",
              "cannot accept new clients: this process has no file descriptor left"
                  + " (connected clients are served; it accepts again by itself)"));
    }
    if (!redis.isSubscriberConnected()) {
      failing.add(
          new Readiness.NotReady(
              "redis",
              "the subscriber connection to "
                  + config.redis().address()
                  + " is down: changes are not heard"
                  + redis.subscriberProblem().map(why -> " (" + why + ")").orElse("")));
    }
    for (LiveSource s : sources) {
      if (!started.contains(s.name())) {
        failing.add(new Readiness.NotReady("source " + s.name(), "still loading"));
      } else if (!s.isStoreAvailable()) {
        failing.add(
            new Readiness.NotReady(
                "source " + s.name(),
                "its latest read did not reach Redis; stats keep their last values"));
      }
    }
    return failing;
  }

  /**
   * Builds and starts the websocket server on the configured listener.
   *
   * @throws IllegalArgumentException when neither [http] nor [https] is configured, or the TLS
   *     files cannot be used (naming them)
   */
  public ArithmosporaServer startServer() {
    Config.Listener listener =
        config
            .listener()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        config.file()
                            + ": nothing to serve on: add [http] address = \"host:port\" or [https] with address, cert and key"));
    WebSocketSettings.Builder settings = config.websocket().toBuilder().address(listener.address());
    tls(listener).ifPresent(settings::tls);
    ArithmosporaServer.Builder b = ArithmosporaServer.builder(settings.build()).access(access());
    sources.forEach(b::source);
    ArithmosporaServer built = b.build();
    built.start();
    new HubMetrics(built.hub()).bindTo(meters);
    new WebSocketMetrics(built).bindTo(meters);
    server = built;
    return built;
  }

  /**
   * Builds and starts the HTTP side on {@code [web]}, after {@link #startServer()} when its event
   * streams and dashboard are to reach the websocket server's hub.
   *
   * @throws IllegalArgumentException when there is no {@code [web]} table, or its TLS files cannot
   *     be used (naming them)
   * @throws IllegalStateException when its address cannot be bound
   */
  public WebServer startWeb() {
    Config.Web w =
        config
            .web()
            .orElseThrow(
                () -> new IllegalArgumentException(config.file() + ": no [web] table to serve"));
    WebSettings.Builder settings =
        WebSettings.builder()
            .address(WebSocketSettings.builder().address(w.listener().address()).build().address())
            .allowedOrigins(List.copyOf(config.websocket().allowedOrigins()))
            .corsOrigins(w.corsOrigins())
            .dashboard(w.dashboard())
            .snapshotMaxAge(w.snapshotMaxAge())
            .requestTimeout(w.requestTimeout());
    tls(w.listener()).ifPresent(settings::tls);
    WebServer.Builder b =
        WebServer.builder(settings.build())
            .sources(sources)
            .liveness(this::isLive)
            .readiness(this::readiness)
            .access(access());
    config.sources().forEach(s -> b.labels(s.name(), s.labels()));
    if (w.metrics()) {
      b.metrics(meters::scrape);
    }
    ArithmosporaServer s = server;
    if (s != null) {
      b.hub(s.hub());
      b.drain(this::startDrain);
      b.dashboardWebsocket(s.port(), config.listener().map(Config.Listener::tls).orElse(false));
    }
    WebServer built = b.build();
    built.start();
    web = built;
    return built;
  }

  /**
   * Drains for a restart, what a SIGTERM does first: {@code /readyz} turns 503, new clients are
   * refused, and the connected ones are closed in random order over {@code [websocket]
   * drain_time_ms}, websocket clients with 1012 and event streams (whose browsers reconnect by
   * themselves) alongside. Returns when the last was closed; does nothing when a drain began
   * already.
   */
  public void drain() {
    ArithmosporaServer s = beginDrain();
    if (s != null) {
      drain(s);
    }
  }

  /**
   * Begins {@link #drain()} on a thread of its own and returns at once: true when this call began
   * it, false when a drain had begun already or nothing is served. What {@code POST /drain} and
   * {@code arithmospora drain} do; the process keeps running, refusing new clients and unready,
   * until it is stopped.
   */
  public boolean startDrain() {
    ArithmosporaServer s = beginDrain();
    if (s == null) {
      return false;
    }
    Thread t = new Thread(() -> drain(s), "arithmospora-drain");
    t.setDaemon(true);
    t.start();
    return true;
  }

  /** The server to drain, when this call is the first to ask; else null. */
  private synchronized ArithmosporaServer beginDrain() {
    ArithmosporaServer s = server;
    if (s == null || draining) {
      return null;
    }
    draining = true;
    return s;
  }

  private void drain(ArithmosporaServer s) {
    Duration spread = config.websocket().drainTime();
    WebServer w = web;
    Thread streams = null;
    if (w != null) {
      streams = new Thread(() -> w.drainStreams(spread), "arithmospora-drain-streams");
      streams.setDaemon(true);
      streams.start();
    }
    s.drain(spread);
    if (streams != null) {
      try {
        streams.join(spread.toMillis() + 5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * What would stop {@link #startServer()} or {@link #startWeb()} from starting, found without
   * starting anything: certificates and keys that cannot be read or do not match, each named with
   * its file. What {@code arithmospora check} reports beyond the loader's problems.
   *
   * @return one line per problem; empty when a start would get past them
   */
  public static List<String> startProblems(Config config) {
    List<String> problems = new ArrayList<>();
    if (config.listener().isEmpty()) {
      problems.add(
          config.file()
              + ": nothing to serve on: add [http] address = \"host:port\" or [https] with address, cert and key");
    }
    config.listener().ifPresent(l -> tlsProblem("[https]", l).ifPresent(problems::add));
    config.web().ifPresent(w -> tlsProblem("[web]", w.listener()).ifPresent(problems::add));
    try {
      access(config);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    return problems;
  }

  /** The one access policy both the websocket server and the HTTP side ask; built once. */
  private synchronized SourceAccess access() {
    if (access == null) {
      access = access(config);
      if (access instanceof JwtSourceAccess jwt) {
        jwt.bindTo(meters);
      }
    }
    return access;
  }

  /**
   * Who may read which source: everyone, without {@code [auth]}; else holders of a token signed
   * with its key that grants the source, for the sources marked {@code private}.
   *
   * @throws IllegalArgumentException naming {@code [auth]}, the key's file and what is wrong
   */
  static SourceAccess access(Config config) {
    if (config.auth().isEmpty()) {
      return SourceAccess.OPEN;
    }
    Config.Auth a = config.auth().get();
    JwtSourceAccess.Builder b =
        JwtSourceAccess.builder()
            .privateSources(
                config.sources().stream()
                    .filter(Config.SourceConfig::isPrivate)
                    .map(Config.SourceConfig::name)
                    .toList())
            .leeway(a.leeway());
    a.issuer().ifPresent(b::issuer);
    a.audience().ifPresent(b::audience);
    if (a.hmacSecretFile().isPresent()) {
      Path file = a.hmacSecretFile().get();
      try {
        b.hmacSecret(KeyFiles.hmacSecret(file));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("[auth] hmac_secret_file " + inFile(file, e), e);
      }
    } else if (a.publicKeyFile().isPresent()) {
      Path file = a.publicKeyFile().get();
      try {
        b.publicKey(KeyFiles.publicKey(file));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("[auth] public_key_file " + inFile(file, e), e);
      }
    }
    return b.build();
  }

  /** {@code e}'s message, beginning with {@code file} once. */
  private static String inFile(Path file, IllegalArgumentException e) {
    String why = e.getMessage();
    return why.startsWith(file.toString()) ? why : file + ": " + why;
  }

  private static Optional<String> tlsProblem(String table, Config.Listener listener) {
    try {
      tls(listener);
      return Optional.empty();
    } catch (IllegalArgumentException | IllegalStateException e) {
      return Optional.of(table + ": " + e.getMessage());
    }
  }

  private static Optional<SSLContext> tls(Config.Listener listener) {
    if (listener instanceof Config.Listener.TlsPkcs12 p) {
      return Optional.of(TlsContexts.fromPkcs12(p.pkcs12(), chars(p.password())));
    }
    if (listener instanceof Config.Listener.TlsPem p) {
      return Optional.of(TlsContexts.fromPem(p.cert(), p.key(), chars(p.keyPassword())));
    }
    return Optional.empty();
  }

  private static char[] chars(String s) {
    return s == null ? null : s.toCharArray();
  }

  @Override
  public void close() {
    WebServer w = web;
    if (w != null) {
      w.close();
    }
    ArithmosporaServer built = server;
    if (built != null) {
      built.stop(Duration.ofSeconds(5));
    }
    sources.forEach(LiveSource::close);
    redis.close();
    gcMetrics.close();
    meters.close();
  }
}
