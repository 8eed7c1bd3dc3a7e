package org.arithmospora.examples;

import java.net.ServerSocket;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.embedded.RedisServer;

/**
 * A site's side of the contract: how your own code writes statistics to Redis so that Arithmospora
 * (Java or Go) serves them. Plain Jedis and plain key names: nothing from Arithmospora is needed to
 * write.
 *
 * <pre>examples/run writer [host:port] [votes]</pre>
 *
 * With no address it starts a private redis-server, writes, and prints what is stored.
 */
public final class RedisWriter {
  /** The source's {@code redis_prefix}. */
  static final String PREFIX = "election:2026";

  private final RedisClient redis;
  private final Random random = new Random();

  RedisWriter(RedisClient redis) {
    this.redis = redis;
  }

  /** The electorate, once: totals of the proportion stats and the data point sets. */
  void setUp() {
    redis.hset(PREFIX + ":stats:total:data", Map.of("current", "0", "total", "5000"));
    // Nested data points: a set names them, each has the same layout below :datapoints:<name>.
    redis.sadd(PREFIX + ":stats:studytypes:datapoints", "UG", "PG");
    redis.hset(PREFIX + ":stats:studytypes:data", Map.of("current", "0", "total", "5000"));
    redis.hset(
        PREFIX + ":stats:studytypes:datapoints:UG:data", Map.of("current", "0", "total", "3500"));
    redis.hset(
        PREFIX + ":stats:studytypes:datapoints:PG:data", Map.of("current", "0", "total", "1500"));
  }

  /**
   * One vote: increment every counter it touches in one round trip, then announce each changed stat
   * on its {@code :updates} channel (any message will do). Arithmospora gathers bursts of
   * announcements (its debounce) and re-reads each stat once.
   */
  void vote(Instant when) {
    String studyType = random.nextInt(10) < 7 ? "UG" : "PG";
    long minute = when.getEpochSecond() / 60;
    try (Pipeline p = redis.pipelined()) {
      p.hincrBy(PREFIX + ":stats:total:data", "current", 1);
      p.hincrBy(PREFIX + ":stats:studytypes:data", "current", 1);
      p.hincrBy(PREFIX + ":stats:studytypes:datapoints:" + studyType + ":data", "current", 1);
      p.incr(PREFIX + ":stats:totalvotes:data"); // single_value
      p.hincrBy(
          PREFIX + ":stats:turnout:datapoints:60:data",
          Long.toString(minute),
          1); // timed, per minute
      p.publish(PREFIX + ":stats:total:updates", "1");
      p.publish(PREFIX + ":stats:studytypes:updates", "1");
      p.publish(PREFIX + ":stats:totalvotes:updates", "1");
      p.publish(PREFIX + ":stats:turnout:updates", "1");
      p.sync();
    }
  }

  public static void main(String[] args) throws Exception {
    int votes = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    RedisServer embedded = null;
    String address = args.length > 0 ? args[0] : null;
    if (address == null) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      embedded =
          RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"").build();
      embedded.start();
      address = "127.0.0.1:" + port;
      System.out.println("Started a private redis-server on " + address);
    }
    try {
      String[] hostPort = address.split(":", -1);
      try (RedisClient redis =
          RedisClient.builder()
              .hostAndPort(
                  new HostAndPort(
                      hostPort[0].isEmpty() ? "localhost" : hostPort[0],
                      Integer.parseInt(hostPort[1])))
              // Arithmospora reads database 1 unless [redis] db says otherwise.
              .clientConfig(DefaultJedisClientConfig.builder().database(1).build())
              .build()) {
        RedisWriter writer = new RedisWriter(redis);
        writer.setUp();
        for (int i = 0; i < votes; i++) {
          writer.vote(Instant.now());
        }
        System.out.println("Wrote " + votes + " votes:");
        System.out.println(
            "  " + PREFIX + ":stats:total:data = " + redis.hgetAll(PREFIX + ":stats:total:data"));
        System.out.println(
            "  "
                + PREFIX
                + ":stats:studytypes:datapoints = "
                + redis.smembers(PREFIX + ":stats:studytypes:datapoints"));
        System.out.println(
            "  "
                + PREFIX
                + ":stats:totalvotes:data = "
                + redis.get(PREFIX + ":stats:totalvotes:data"));
      }
    } finally {
      if (embedded != null) {
        embedded.stop();
      }
    }
  }
}
