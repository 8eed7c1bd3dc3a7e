package org.arithmospora.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.redis.RedisStore;
import org.arithmospora.ws.ArithmosporaServer;
import org.arithmospora.ws.TlsContexts;
import org.arithmospora.ws.WebSocketSettings;

/**
 * The composition root: turns a {@link Config} into a Redis store, one {@link LiveSource} per
 * source and, when serving, the websocket server. Closing it stops everything in reverse order.
 */
public final class Assembly implements AutoCloseable {
  private final Config config;
  private final RedisStore redis;
  private final List<LiveSource> sources = new ArrayList<>();
  private volatile ArithmosporaServer server;

  private Assembly(Config config) {
    this.config = config;
    this.redis = RedisStore.connect(config.redis());
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
        .loader(ConfigLoader.REDIS, redis.loader(prefix))
        .debounce(config.debounce())
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

  /** Starts every source: each loads its stats and then follows them. */
  public void startSources() {
    sources.forEach(LiveSource::start);
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
    if (listener instanceof Config.Listener.TlsPkcs12 p) {
      settings.tls(TlsContexts.fromPkcs12(p.pkcs12(), chars(p.password())));
    } else if (listener instanceof Config.Listener.TlsPem p) {
      settings.tls(TlsContexts.fromPem(p.cert(), p.key(), chars(p.keyPassword())));
    }
    ArithmosporaServer.Builder b = ArithmosporaServer.builder(settings.build());
    sources.forEach(b::source);
    ArithmosporaServer built = b.build();
    built.start();
    server = built;
    return built;
  }

  private static char[] chars(String s) {
    return s == null ? null : s.toCharArray();
  }

  @Override
  public void close() {
    ArithmosporaServer built = server;
    if (built != null) {
      built.stop(Duration.ofSeconds(5));
    }
    sources.forEach(LiveSource::close);
    redis.close();
  }
}
