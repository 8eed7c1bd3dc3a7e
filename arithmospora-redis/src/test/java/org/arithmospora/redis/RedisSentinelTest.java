package org.arithmospora.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.arithmospora.core.DebounceSettings;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.Stat;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.type.ProportionData;
import org.arithmospora.core.type.SingleValueData;
import org.arithmospora.redis.RedisSettings.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.embedded.Redis;
import redis.embedded.RedisSentinel;
import redis.embedded.RedisServer;

/**
 * A master, its replica and a Sentinel, all real redis-server processes; the master is stopped and
 * Sentinel promotes the replica under a running source.
 */
class RedisSentinelTest {
  private static final String PREFIX = "e";
  private static final String MASTER_NAME = "election";

  @TempDir Path dir;
  private final List<Redis> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).stop();
      } catch (IOException | RuntimeException ignored) {
        // Stopped already (the failed-over master).
      }
    }
  }

  private <R extends Redis> R start(R redis) throws IOException {
    redis.start();
    started.add(redis);
    return redis;
  }

  @Test
  void followsAFailoverThenResubscribesAndReReads() throws Exception {
    int masterPort = freePort();
    int replicaPort = freePort();
    int sentinelPort = freePort();
    RedisServer master = start(server(masterPort).build());
    start(server(replicaPort).slaveOf("127.0.0.1", masterPort).build());
    Path sentinelConf = dir.resolve("sentinel.conf");
    // Sentinel rewrites its file as it learns the set-up, so it must be one of its own.
    Files.writeString(
        sentinelConf,
        String.join(
            "\n",
            "port " + sentinelPort,
            "bind 127.0.0.1",
            "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 1",
            "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
            "sentinel failover-timeout " + MASTER_NAME + " 5000",
            ""));
    start(
        RedisSentinel.newRedisSentinel()
            .port(sentinelPort)
            .configFile(sentinelConf.toString())
            .build());
    try (Jedis writer = new Jedis("127.0.0.1", masterPort)) {
      writer.select(1);
      writer.hset(PREFIX + ":stats:total:data", Map.of("current", "10", "total", "100"));
      writer.set(PREFIX + ":stats:votes:data", "10");
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> replicaKnown(sentinelPort));

    RedisSettings settings =
        RedisSettings.builder()
            .sentinel(MASTER_NAME, List.of(new Endpoint("127.0.0.1", sentinelPort)))
            .pingInterval(Duration.ofMillis(200))
            .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(400))
            .build();
    SourceDefinition def =
        SourceDefinition.builder("e")
            .stat("proportion", "total")
            .stat(StatDefinition.of("other", "votes").withDataType("single_value"))
            .build();
    try (RedisStore store = RedisStore.connect(settings);
        LiveSource source =
            LiveSource.builder(def)
                .loader(store.loader(PREFIX))
                .debounce(DebounceSettings.ofMillis(20, 100))
                .build()) {
      source.start();
      await().atMost(Duration.ofSeconds(10)).until(store::isSubscriberConnected);
      assertThat(proportion(source)).isEqualTo(new ProportionData(10, 100));

      master.stop();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> masterPortSays(sentinelPort) == replicaPort);
      try (Jedis writer = new Jedis("127.0.0.1", replicaPort)) {
        writer.select(1);
        // Written before the subscriber is back, and never announced: only a re-read finds it.
        writer.hset(PREFIX + ":stats:total:data", Map.of("current", "20", "total", "100"));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertThat(proportion(source)).isEqualTo(new ProportionData(20, 100)));
      await().atMost(Duration.ofSeconds(10)).until(store::isSubscriberConnected);
      assertThat(store.subscriberConnections()).isGreaterThanOrEqualTo(2);

      try (Jedis writer = new Jedis("127.0.0.1", replicaPort)) {
        writer.select(1);
        writer.set(PREFIX + ":stats:votes:data", "11");
        writer.publish(PREFIX + ":stats:votes:updates", "1");
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          source.find("other", "votes").flatMap(Stat::current).orElseThrow().data())
                      .isEqualTo(new SingleValueData(11)));
      assertThat(store.ping()).isTrue();
    }
  }

  private static ProportionData proportion(LiveSource source) {
    return (ProportionData)
        source.find("proportion", "total").flatMap(Stat::current).orElseThrow().data();
  }

  private static boolean replicaKnown(int sentinelPort) {
    try (Jedis sentinel = new Jedis("127.0.0.1", sentinelPort)) {
      return !sentinel.sentinelReplicas(MASTER_NAME).isEmpty();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static int masterPortSays(int sentinelPort) {
    try (Jedis sentinel = new Jedis("127.0.0.1", sentinelPort)) {
      return HostAndPort.from(String.join(":", sentinel.sentinelGetMasterAddrByName(MASTER_NAME)))
          .getPort();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static redis.embedded.core.RedisServerBuilder server(int port) {
    return RedisServer.newRedisServer()
        .port(port)
        .bind("127.0.0.1")
        .setting("save \"\"")
        .setting("appendonly no");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
