package org.arithmospora.redis;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.arithmospora.core.store.StatLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;

/**
 * Redis, as one server, Sentinel's master or a cluster: a small connection pool for reads and one
 * dedicated subscriber connection for the {@code :updates} channels of every source. Hand each
 * source a {@link #loader(String)} for its key prefix. Thread-safe; close it to release both.
 */
public final class RedisStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisStore.class);

  private final RedisSettings settings;
  private final ReadClient reads;
  private final RedisSubscriber subscriber;

  private RedisStore(RedisSettings settings) {
    this.settings = settings;
    JedisClientConfig config = clientConfig(settings, settings.readTimeout());
    this.reads = ReadClient.of(settings, config, sentinelConfig(settings), poolConfig(settings));
    this.subscriber = new RedisSubscriber(settings, config, reads);
  }

  /**
   * Prepares connections to the server of {@code settings}: one server, Sentinel's master or a
   * cluster. Nothing is connected yet: a server that is down now is retried when stats are read or
   * followed.
   */
  public static RedisStore connect(RedisSettings settings) {
    log.debug("Using {}", settings);
    return new RedisStore(Objects.requireNonNull(settings));
  }

  /** A loader for the source whose keys start with {@code keyPrefix} (its {@code redis_prefix}). */
  public StatLoader loader(String keyPrefix) {
    return new RedisStatLoader(reads, new RedisKeys(keyPrefix), subscriber, settings);
  }

  /** The settings in use. */
  public RedisSettings settings() {
    return settings;
  }

  /** How many times the subscriber connection has been (re)established. */
  public long subscriberConnections() {
    return subscriber.connections();
  }

  /** Whether the subscriber connection is up and subscribed. */
  public boolean isSubscriberConnected() {
    return subscriber.isConnected();
  }

  /**
   * While the subscriber connection is down, why its latest attempt failed: Redis's own answer
   * (e.g. {@code NOPERM} for a user without SUBSCRIBE) or the network's; empty while it is up.
   */
  public Optional<String> subscriberProblem() {
    return subscriber.problem();
  }

  /** Sends {@code PING} on a pooled connection; true when Redis answered. For health checks. */
  public boolean ping() {
    try {
      return "PONG".equalsIgnoreCase(reads.get().ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    subscriber.close();
    reads.close();
  }

  /** Read connections open now, idle and in use, of a single server. */
  int readConnections() {
    return ((ReadClient.Standalone) reads).connections();
  }

  static JedisClientConfig clientConfig(RedisSettings s, Duration readTimeout) {
    DefaultJedisClientConfig.Builder b = common(s, readTimeout).database(s.database());
    s.user().ifPresent(b::user);
    s.password().ifPresent(b::password);
    tls(s, b);
    return b.build();
  }

  /** What every connection shares, to the data servers and to the Sentinels alike. */
  private static DefaultJedisClientConfig.Builder common(RedisSettings s, Duration readTimeout) {
    return DefaultJedisClientConfig.builder()
        .clientName(s.clientName())
        .connectionTimeoutMillis((int) s.connectTimeout().toMillis())
        .socketTimeoutMillis((int) readTimeout.toMillis())
        // RESP2 without HELLO works with every Redis version sites may still run.
        .serverDefaultProtocol()
        // CLIENT SETINFO needs Redis 7.2; older servers would answer it with an error.
        .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
  }

  private static void tls(RedisSettings s, DefaultJedisClientConfig.Builder b) {
    if (s.tls()) {
      SslOptions.Builder tls =
          SslOptions.builder()
              .sslVerifyMode(s.verifyHostname() ? SslVerifyMode.FULL : SslVerifyMode.CA);
      s.trustStore()
          .ifPresent(
              file ->
                  tls.truststore(
                      file.toFile(), s.trustStorePassword().map(String::toCharArray).orElse(null)));
      b.sslOptions(tls.build());
    }
  }

  /** For the Sentinels themselves: their own credentials, no database, the same TLS. */
  static JedisClientConfig sentinelConfig(RedisSettings s) {
    DefaultJedisClientConfig.Builder b = common(s, s.readTimeout());
    s.sentinelUser().ifPresent(b::user);
    s.sentinelPassword().ifPresent(b::password);
    tls(s, b);
    return b.build();
  }

  private static ConnectionPoolConfig poolConfig(RedisSettings s) {
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(s.maxTotal());
    pool.setMaxIdle(s.maxIdle());
    pool.setMinIdle(0);
    pool.setMinEvictableIdleDuration(s.idleTimeout());
    pool.setTimeBetweenEvictionRuns(
        s.idleTimeout().dividedBy(4).compareTo(Duration.ofSeconds(1)) < 0
            ? Duration.ofSeconds(1)
            : s.idleTimeout().dividedBy(4));
    // Never wait forever for a pooled connection: a read would block the source's thread.
    pool.setMaxWait(s.connectTimeout().plus(s.readTimeout()));
    pool.setBlockWhenExhausted(true);
    pool.setJmxEnabled(false);
    return pool;
  }
}
