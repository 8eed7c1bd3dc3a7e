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
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;

/**
 * One Redis server: a small connection pool for reads and one dedicated subscriber connection for
 * the {@code :updates} channels of every source. Hand each source a {@link #loader(String)} for its
 * key prefix. Thread-safe; close it to release both.
 */
public final class RedisStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisStore.class);

  private final RedisSettings settings;
  private final ReadPool pool;
  private final RedisClient client;
  private final RedisSubscriber subscriber;

  private RedisStore(RedisSettings settings) {
    this.settings = settings;
    JedisClientConfig config = clientConfig(settings, settings.readTimeout());
    this.pool =
        new ReadPool(
            new HostAndPort(settings.host(), settings.port()), config, poolConfig(settings));
    this.client = RedisClient.builder().clientConfig(config).connectionProvider(pool).build();
    this.subscriber = new RedisSubscriber(settings, clientConfig(settings, settings.readTimeout()));
  }

  /**
   * Prepares connections to the server of {@code settings}. Nothing is connected yet: a server that
   * is down now is retried when stats are read or followed.
   */
  public static RedisStore connect(RedisSettings settings) {
    log.debug("Using {}", settings);
    return new RedisStore(Objects.requireNonNull(settings));
  }

  /** A loader for the source whose keys start with {@code keyPrefix} (its {@code redis_prefix}). */
  public StatLoader loader(String keyPrefix) {
    return new RedisStatLoader(client, new RedisKeys(keyPrefix), subscriber, settings);
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
      return "PONG".equalsIgnoreCase(client.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    subscriber.close();
    client.close();
    pool.close();
  }

  /** Read connections open now, idle and in use. */
  int readConnections() {
    return pool.connections();
  }

  static JedisClientConfig clientConfig(RedisSettings s, Duration readTimeout) {
    DefaultJedisClientConfig.Builder b =
        DefaultJedisClientConfig.builder()
            .database(s.database())
            .clientName(s.clientName())
            .connectionTimeoutMillis((int) s.connectTimeout().toMillis())
            .socketTimeoutMillis((int) readTimeout.toMillis())
            // RESP2 without HELLO works with every Redis version sites may still run.
            .serverDefaultProtocol()
            // CLIENT SETINFO needs Redis 7.2; older servers would answer it with an error.
            .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
    s.user().ifPresent(b::user);
    s.password().ifPresent(b::password);
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
