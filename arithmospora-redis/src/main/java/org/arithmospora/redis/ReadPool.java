package org.arithmospora.redis;

import java.util.Map;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.providers.ConnectionProvider;

/**
 * The pool of read connections, as Jedis's own but for one thing: a broken connection given back is
 * not replaced there and then. commons-pool2 2.13 opens a replacement inside {@code
 * invalidateObject}, on the thread that just failed, and a new connection's first commands (SELECT,
 * CLIENT SETNAME) wait a whole read timeout on a stalled Redis: during {@code DEBUG SLEEP 14} a
 * source's read sat some 14 s there, beyond every configured timeout. A connection is opened when a
 * read next needs one instead.
 */
final class ReadPool implements ConnectionProvider {
  private final HostAndPort address;
  private final Pool pool;

  ReadPool(
      HostAndPort address, JedisClientConfig client, GenericObjectPoolConfig<Connection> config) {
    this.address = address;
    this.pool = new Pool(address, client, config);
  }

  @Override
  public Connection getConnection() {
    return pool.getResource();
  }

  @Override
  public Connection getConnection(CommandArguments args) {
    return pool.getResource();
  }

  @Override
  public Map<?, ?> getConnectionMap() {
    return Map.of(address, pool);
  }

  @Override
  public Map<?, ?> getPrimaryNodesConnectionMap() {
    return getConnectionMap();
  }

  @Override
  public void close() {
    pool.close();
  }

  /** Connections open now, idle and in use: for tests. */
  int connections() {
    return pool.getNumActive() + pool.getNumIdle();
  }

  private static final class Pool extends ConnectionPool {
    private final ThreadLocal<Boolean> returningBroken = ThreadLocal.withInitial(() -> false);

    Pool(
        HostAndPort address, JedisClientConfig client, GenericObjectPoolConfig<Connection> config) {
      super(address, client, config);
    }

    @Override
    public void returnBrokenResource(Connection resource) {
      returningBroken.set(true);
      try {
        super.returnBrokenResource(resource);
      } finally {
        returningBroken.remove();
      }
    }

    @Override
    public void addObject() throws Exception {
      if (!returningBroken.get()) {
        super.addObject();
      }
    }
  }
}
