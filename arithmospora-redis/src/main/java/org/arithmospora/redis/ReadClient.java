package org.arithmospora.redis;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.arithmospora.redis.RedisSettings.Endpoint;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.SentineledConnectionProvider;

/**
 * The read side of one Redis topology, and where its subscriber connection should go.
 *
 * <p>Jedis's Sentinel and Cluster clients ask their servers for the topology as they are built, and
 * fail when none answers. They are built on first use instead, and again after a failure, so that a
 * server started while Redis is down heals like one that lost Redis later.
 */
abstract class ReadClient implements AutoCloseable {
  /** The client for reads; builds it first if needed. */
  abstract UnifiedJedis get();

  /** Where the subscriber should connect now; called before each attempt. */
  abstract HostAndPort subscribeTarget();

  /**
   * Whether a subscriber connected to {@code at} is still where it should be: after a Sentinel
   * failover the old master, now a replica, is not.
   */
  boolean stillSubscribeAt(HostAndPort at) {
    return true;
  }

  /** After a read was redirected (a cluster's slots moved): learn the topology again. */
  void onRedirected() {}

  @Override
  public abstract void close();

  static ReadClient of(
      RedisSettings settings,
      JedisClientConfig config,
      JedisClientConfig sentinelConfig,
      GenericObjectPoolConfig<Connection> poolConfig) {
    return switch (settings.topology()) {
      case STANDALONE -> new Standalone(settings, config, poolConfig);
      case SENTINEL -> new Sentinel(settings, config, sentinelConfig, poolConfig);
      case CLUSTER -> new Cluster(settings, config, poolConfig);
    };
  }

  static HostAndPort hostAndPort(Endpoint e) {
    return new HostAndPort(e.host(), e.port());
  }

  /** One server through {@link ReadPool}, which connects only when a read needs it. */
  static final class Standalone extends ReadClient {
    private final HostAndPort address;
    private final ReadPool pool;
    private final RedisClient client;

    Standalone(
        RedisSettings settings,
        JedisClientConfig config,
        GenericObjectPoolConfig<Connection> poolConfig) {
      this.address = new HostAndPort(settings.host(), settings.port());
      this.pool = new ReadPool(address, config, poolConfig);
      this.client = RedisClient.builder().clientConfig(config).connectionProvider(pool).build();
    }

    @Override
    UnifiedJedis get() {
      return client;
    }

    @Override
    HostAndPort subscribeTarget() {
      return address;
    }

    int connections() {
      return pool.connections();
    }

    @Override
    public void close() {
      client.close();
      pool.close();
    }
  }

  /** Builds its client on first use, and again after the build failed. */
  abstract static class Lazy<C extends UnifiedJedis> extends ReadClient {
    private C client;
    private boolean closed;

    abstract C build();

    @Override
    synchronized C get() {
      if (closed) {
        throw new IllegalStateException("the Redis store is closed");
      }
      if (client == null) {
        client = build();
      }
      return client;
    }

    /** The client if it has been built, else null. */
    synchronized C built() {
      return client;
    }

    @Override
    public synchronized void close() {
      closed = true;
      if (client != null) {
        client.close();
        closeBuilt();
      }
    }

    void closeBuilt() {}
  }

  /**
   * Sentinel's master. Jedis's provider listens on every Sentinel for {@code +switch-master} and
   * moves its pool to the new master; the subscriber follows {@link
   * SentineledConnectionProvider#getCurrentMaster()}.
   */
  static final class Sentinel extends Lazy<RedisClient> {
    private final RedisSettings settings;
    private final JedisClientConfig config;
    private final JedisClientConfig sentinelConfig;
    private final GenericObjectPoolConfig<Connection> poolConfig;
    private SentineledConnectionProvider provider;

    Sentinel(
        RedisSettings settings,
        JedisClientConfig config,
        JedisClientConfig sentinelConfig,
        GenericObjectPoolConfig<Connection> poolConfig) {
      this.settings = settings;
      this.config = config;
      this.sentinelConfig = sentinelConfig;
      this.poolConfig = poolConfig;
    }

    @Override
    RedisClient build() {
      Set<HostAndPort> sentinels = new LinkedHashSet<>();
      settings.sentinels().forEach(e -> sentinels.add(hostAndPort(e)));
      SentineledConnectionProvider p =
          new SentineledConnectionProvider(
              settings.masterName().orElseThrow(), config, poolConfig, sentinels, sentinelConfig);
      provider = p;
      return RedisClient.builder().clientConfig(config).connectionProvider(p).build();
    }

    @Override
    HostAndPort subscribeTarget() {
      get();
      return currentMaster();
    }

    private synchronized HostAndPort currentMaster() {
      return provider.getCurrentMaster();
    }

    @Override
    boolean stillSubscribeAt(HostAndPort at) {
      return built() == null || at.equals(currentMaster());
    }

    @Override
    void closeBuilt() {
      provider.close();
    }
  }

  /**
   * A Redis Cluster. Reads go through Jedis's cluster pipeline, which sends each key to the master
   * of its slot, one batch per node. Plain {@code PUBLISH} reaches every node of a cluster, so the
   * subscriber may listen on any of them: it takes them in turn when one fails.
   */
  static final class Cluster extends Lazy<RedisClusterClient> {
    private final RedisSettings settings;
    private final JedisClientConfig config;
    private final GenericObjectPoolConfig<Connection> poolConfig;
    private final AtomicInteger nextNode = new AtomicInteger();

    Cluster(
        RedisSettings settings,
        JedisClientConfig config,
        GenericObjectPoolConfig<Connection> poolConfig) {
      this.settings = settings;
      this.config = config;
      this.poolConfig = poolConfig;
    }

    @Override
    RedisClusterClient build() {
      Set<HostAndPort> seeds = new LinkedHashSet<>();
      settings.clusterNodes().forEach(e -> seeds.add(hostAndPort(e)));
      return RedisClusterClient.builder()
          .nodes(seeds)
          .clientConfig(config)
          .poolConfig(poolConfig)
          .build();
    }

    @Override
    HostAndPort subscribeTarget() {
      List<HostAndPort> nodes = new ArrayList<>();
      RedisClusterClient c = built();
      if (c != null) {
        c.getClusterNodes().keySet().stream().sorted().map(HostAndPort::from).forEach(nodes::add);
      }
      if (nodes.isEmpty()) {
        settings.clusterNodes().forEach(e -> nodes.add(hostAndPort(e)));
      }
      return nodes.get(Math.floorMod(nextNode.getAndIncrement(), nodes.size()));
    }

    @Override
    void onRedirected() {
      RedisClusterClient c = built();
      if (c != null) {
        c.refreshClusterTopology();
      }
    }
  }
}
