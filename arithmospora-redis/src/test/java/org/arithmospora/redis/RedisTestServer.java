package org.arithmospora.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.embedded.RedisServer;

/**
 * A real redis-server (embedded-redis) on a free loopback port, for integration tests. It keeps
 * nothing on disk, can be stopped and started again on the same port, and is stopped by {@link
 * #close()}.
 */
public final class RedisTestServer implements AutoCloseable {
  private final int port;
  private final RedisServer server;
  private RedisClient writer;

  private RedisTestServer(int port, RedisServer server) {
    this.port = port;
    this.server = server;
  }

  /** Starts a server on a free port, retrying if another process takes the port first. */
  public static RedisTestServer start() {
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = freePort();
      try {
        RedisServer server =
            RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
        server.start();
        return new RedisTestServer(port, server);
      } catch (IOException e) {
        last = e;
      }
    }
    throw new UncheckedIOException("could not start redis-server", last);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** Settings for this server, database 1 as the Go program used. */
  public RedisSettings.Builder settings() {
    return RedisSettings.builder().host("127.0.0.1").port(port);
  }

  /** A client on database 1, playing the site's own writer. */
  public synchronized RedisClient writer() {
    if (writer == null) {
      writer =
          RedisClient.builder()
              .hostAndPort(new HostAndPort("127.0.0.1", port))
              .clientConfig(DefaultJedisClientConfig.builder().database(1).build())
              .poolConfig(testedOnBorrow())
              .build();
    }
    return writer;
  }

  // After a restart the pool's old connections are dead; test them rather than fail once.
  private static ConnectionPoolConfig testedOnBorrow() {
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setTestOnBorrow(true);
    return pool;
  }

  /** A plain connection for administrative commands (CLIENT LIST, CLIENT PAUSE); close it. */
  public Jedis admin() {
    return new Jedis("127.0.0.1", port);
  }

  /** Stops the server process (its data is lost). */
  public void stop() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the server again on the same port. */
  public void restart() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    if (writer != null) {
      writer.close();
    }
    stop();
  }
}
