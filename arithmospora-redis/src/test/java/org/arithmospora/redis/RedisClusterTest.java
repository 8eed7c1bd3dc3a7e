package org.arithmospora.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.arithmospora.core.DataPoint;
import org.arithmospora.core.DebounceSettings;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.Stat;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.type.GenericData;
import org.arithmospora.core.type.ProportionData;
import org.arithmospora.core.type.RollingData;
import org.arithmospora.core.type.SingleValueData;
import org.arithmospora.core.type.TimedSeriesData;
import org.arithmospora.redis.RedisSettings.Endpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.embedded.RedisShardedCluster;

/**
 * A Redis Cluster of three masters, real redis-server processes, holding the Go-era key layout: a
 * stat's keys hash to different slots and so to different masters.
 */
class RedisClusterTest {
  private static final String PREFIX = "election:2017";

  private static RedisShardedCluster cluster;
  private static RedisClusterClient writer;

  @BeforeAll
  static void startCluster() throws IOException {
    cluster =
        RedisShardedCluster.newRedisCluster()
            .shard("a", 0)
            .shard("b", 0)
            .shard("c", 0)
            .ephemeral()
            .initializationTimeout(Duration.ofSeconds(30))
            .build();
    cluster.start();
    // start() returns once slots are assigned; each node says the cluster is up a moment later,
    // and a write before that is refused with CLUSTERDOWN (seen once in CI).
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                cluster.serverPorts().stream()
                    .allMatch(
                        port -> {
                          try (Jedis node = new Jedis("127.0.0.1", port)) {
                            return node.clusterInfo().contains("cluster_state:ok");
                          }
                        }));
    Set<HostAndPort> nodes = new HashSet<>();
    cluster.serverPorts().forEach(p -> nodes.add(new HostAndPort("127.0.0.1", p)));
    writer = RedisClusterClient.builder().nodes(nodes).build();
  }

  @AfterAll
  static void stopCluster() throws IOException {
    if (writer != null) {
      writer.close();
    }
    if (cluster != null) {
      cluster.stop();
    }
  }

  private static RedisSettings settings() {
    List<Endpoint> seeds = new ArrayList<>();
    // One seed is enough for discovery; the others are found through CLUSTER SLOTS.
    seeds.add(new Endpoint("127.0.0.1", cluster.serverPorts().get(0)));
    return RedisSettings.builder()
        .cluster(seeds)
        .database(0)
        .pingInterval(Duration.ofMillis(200))
        .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(400))
        .build();
  }

  private static SourceDefinition election() {
    // Timed stats show buckets up to now, so the election runs now.
    Instant start = Instant.now().minusSeconds(600);
    return SourceDefinition.builder("election2017")
        .startTime(start)
        .endTime(start.plusSeconds(3600))
        .timedPeriod(60, 2)
        .stat("proportion", "total")
        .stat("proportion", "studytypes")
        .stat(StatDefinition.of("rolling", "total").withPeriod("5m"))
        .stat(StatDefinition.of("other", "totalvotes").withDataType("single_value"))
        .stat(StatDefinition.of("other", "colours").withDataType("generic"))
        .stat("timed", "turnout")
        .build();
  }

  @Test
  void servesEveryStatTypeFromKeysOnSeveralMastersAndFollowsUpdates() {
    // The latest two minutes are both shown, whichever the read falls in.
    long minute = Instant.now().getEpochSecond() / 60;
    writer.hset(PREFIX + ":stats:total:data", Map.of("current", "71", "total", "200"));
    writer.sadd(PREFIX + ":stats:studytypes:datapoints", "PG", "UG");
    writer.hset(PREFIX + ":stats:studytypes:data", Map.of("current", "4", "total", "10"));
    writer.hset(
        PREFIX + ":stats:studytypes:datapoints:PG:data", Map.of("current", "4", "total", "8"));
    writer.hset(
        PREFIX + ":stats:studytypes:datapoints:UG:data", Map.of("current", "0", "total", "2"));
    writer.hset(
        PREFIX + ":rolling:5m:stats:total:data",
        Map.of("current", "3", "total", "200", "peak", "9"));
    writer.set(PREFIX + ":stats:totalvotes:data", "2345");
    writer.hset(PREFIX + ":stats:colours:data", Map.of("red", "1", "blue", "2"));
    writer.hset(PREFIX + ":stats:turnout:datapoints:60:data", Map.of(Long.toString(minute), "4"));
    assertThat(mastersHoldingKeys()).as("the stats' keys are spread over the masters").isEqualTo(3);

    try (RedisStore store = RedisStore.connect(settings());
        LiveSource source =
            LiveSource.builder(election())
                .loader(store.loader(PREFIX))
                .debounce(DebounceSettings.ofMillis(20, 100))
                .build()) {
      source.start();
      assertThat(data(source, "proportion", "total")).isEqualTo(new ProportionData(71, 200));
      DataPoint studytypes = tree(source, "proportion", "studytypes");
      assertThat(studytypes.data()).isEqualTo(new ProportionData(4, 10));
      assertThat(studytypes.find(List.of("PG")).orElseThrow().data())
          .isEqualTo(new ProportionData(4, 8));
      assertThat(studytypes.find(List.of("UG")).orElseThrow().data())
          .isEqualTo(new ProportionData(0, 2));
      assertThat(data(source, "rolling", "5m:total")).isEqualTo(new RollingData(3, 200, 9));
      assertThat(data(source, "other", "totalvotes")).isEqualTo(new SingleValueData(2345));
      assertThat(data(source, "other", "colours"))
          .isEqualTo(new GenericData(Map.of("red", 1L, "blue", 2L)));
      assertThat(
              ((TimedSeriesData) tree(source, "timed", "turnout").dataPoints().get("60").data())
                  .buckets())
          .containsEntry(minute, 4L);

      await().atMost(Duration.ofSeconds(10)).until(store::isSubscriberConnected);
      // PUBLISH in a cluster reaches every node, so it does not matter which one takes it.
      writer.hset(
          PREFIX + ":stats:studytypes:datapoints:PG:data", Map.of("current", "6", "total", "8"));
      writer.hset(PREFIX + ":stats:studytypes:data", Map.of("current", "6", "total", "10"));
      writer.publish(PREFIX + ":stats:studytypes:updates", "1");
      writer.set(PREFIX + ":stats:totalvotes:data", "2346");
      writer.publish(PREFIX + ":stats:totalvotes:updates", "1");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                DataPoint t = tree(source, "proportion", "studytypes");
                assertThat(t.data()).isEqualTo(new ProportionData(6, 10));
                assertThat(t.find(List.of("PG")).orElseThrow().data())
                    .isEqualTo(new ProportionData(6, 8));
                assertThat(data(source, "other", "totalvotes"))
                    .isEqualTo(new SingleValueData(2346));
              });
      assertThat(store.ping()).isTrue();
    }
  }

  private static int mastersHoldingKeys() {
    int holding = 0;
    for (int port : cluster.serverPorts()) {
      try (Jedis node = new Jedis("127.0.0.1", port)) {
        if (node.dbSize() > 0) {
          holding++;
        }
      }
    }
    return holding;
  }

  private static DataPoint tree(LiveSource source, String group, String key) {
    return source
        .find(group, key)
        .flatMap(Stat::current)
        .orElseThrow(() -> new AssertionError(group + ":" + key + " not loaded"));
  }

  private static Object data(LiveSource source, String group, String key) {
    return tree(source, group, key).data();
  }
}
