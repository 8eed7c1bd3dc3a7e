package org.arithmospora.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.arithmospora.core.DataPoint;
import org.arithmospora.core.DebounceSettings;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.ManualScheduler;
import org.arithmospora.core.Source;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.SourceListener;
import org.arithmospora.core.Stat;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.store.NodeAddress;
import org.arithmospora.core.store.StatAddress;
import org.arithmospora.core.store.StatLoader;
import org.arithmospora.core.store.StatReadException;
import org.arithmospora.core.type.GenericData;
import org.arithmospora.core.type.ProportionData;
import org.arithmospora.core.type.ProportionType;
import org.arithmospora.core.type.RawData;
import org.arithmospora.core.type.RollingData;
import org.arithmospora.core.type.SingleValueData;
import org.arithmospora.core.type.TimedSeriesData;
import org.arithmospora.core.wire.EncodedMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/** Reading and following stats against a real redis-server. */
class RedisStoreTest {
  private static final String PREFIX = "election:2017";
  private static final DebounceSettings FAST = DebounceSettings.ofMillis(20, 100);

  private static RedisTestServer redis;
  private RedisStore store;
  private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startRedis() {
    redis = RedisTestServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void setUp() {
    redis.writer().flushDB();
    store = RedisStore.connect(redis.settings().pingInterval(Duration.ofMillis(200)).build());
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    store.close();
  }

  private RedisClient w() {
    return redis.writer();
  }

  private static SourceDefinition.Builder election() {
    return SourceDefinition.builder("election2017")
        .stat("proportion", "total")
        .stat("proportion", "studytypes")
        .stat(StatDefinition.of("rolling", "total").withPeriod("5m"))
        .stat(StatDefinition.of("other", "totalvotes").withDataType("single_value"))
        .stat(
            StatDefinition.of("other", "totalvotes").withDataType("single_value").withPeriod("5m"))
        .stat(StatDefinition.of("other", "colours").withDataType("generic"));
  }

  private LiveSource live(SourceDefinition def, StatLoader loader) {
    LiveSource source = LiveSource.builder(def).loader("redis", loader).debounce(FAST).build();
    toClose.add(source);
    return source;
  }

  private static DataPoint tree(Source source, String group, String key) {
    return source
        .find(group, key)
        .flatMap(Stat::current)
        .orElseThrow(() -> new AssertionError(group + ":" + key + " not loaded"));
  }

  private static Optional<DataPoint> maybeTree(Source source, String group, String key) {
    return source.find(group, key).flatMap(Stat::current);
  }

  @Test
  void readsEveryDataTypeWithTheGoKeyLayout() {
    w().hset(PREFIX + ":stats:total:data", Map.of("current", "71", "total", "200"));
    w().sadd(PREFIX + ":stats:studytypes:datapoints", "PG", "UG");
    w().hset(PREFIX + ":stats:studytypes:data", Map.of("current", "4", "total", "10"));
    w().hset(PREFIX + ":stats:studytypes:datapoints:PG:data", Map.of("current", "4", "total", "8"));
    w().sadd(PREFIX + ":stats:studytypes:datapoints:PG:datapoints", "T", "R");
    w().hset(
            PREFIX + ":stats:studytypes:datapoints:PG:datapoints:T:data",
            Map.of("current", "1", "total", "4"));
    w().hset(
            PREFIX + ":stats:studytypes:datapoints:PG:datapoints:R:data",
            Map.of("current", "3", "total", "4"));
    w().hset(
            PREFIX + ":rolling:5m:stats:total:data",
            Map.of("current", "3", "total", "200", "peak", "9"));
    w().set(PREFIX + ":stats:totalvotes:data", "2345");
    w().set(PREFIX + ":rolling:5m:stats:totalvotes:data", "12");
    w().hset(PREFIX + ":stats:colours:data", Map.of("red", "1", "blue", "2"));

    LiveSource source = live(election().live(false).build(), store.loader(PREFIX));
    source.start();

    assertThat(tree(source, "proportion", "total").data()).isEqualTo(new ProportionData(71, 200));
    DataPoint studytypes = tree(source, "proportion", "studytypes");
    assertThat(studytypes.dataPoints()).containsOnlyKeys("PG", "UG");
    assertThat(studytypes.find(List.of("PG", "T")).orElseThrow().data())
        .isEqualTo(new ProportionData(1, 4));
    assertThat(studytypes.find(List.of("PG", "R")).orElseThrow().data())
        .isEqualTo(new ProportionData(3, 4));
    assertThat(studytypes.find(List.of("UG")).orElseThrow().data())
        .as("a data point without data reads as zeros")
        .isEqualTo(new ProportionData(0, 0));
    assertThat(tree(source, "rolling", "5m:total").data()).isEqualTo(new RollingData(3, 200, 9));
    assertThat(tree(source, "other", "totalvotes").data()).isEqualTo(new SingleValueData(2345));
    assertThat(tree(source, "other", "5m:totalvotes").data()).isEqualTo(new SingleValueData(12));
    assertThat(tree(source, "other", "colours").data())
        .isEqualTo(new GenericData(Map.of("red", 1L, "blue", 2L)));
  }

  @Test
  void readsTimedStatsFromTheirPeriodHashes() {
    Instant start = Instant.parse("2017-03-03T12:00:00Z");
    long minute = start.getEpochSecond() / 60;
    w().hset(
            PREFIX + ":stats:turnout:datapoints:60:data",
            Map.of(Long.toString(minute), "4", Long.toString(minute - 1), "2"));
    w().hset(
            PREFIX + ":stats:turnout:datapoints:3600:data",
            Map.of(Long.toString(start.getEpochSecond() / 3600), "40"));
    SourceDefinition def =
        SourceDefinition.builder("e")
            .startTime(start)
            .endTime(start.plusSeconds(3600))
            .timedPeriod(60, 2)
            .timedPeriod(3600, -1)
            .stat("timed", "turnout")
            .build();
    ManualScheduler clock = new ManualScheduler(start.plusSeconds(5));
    LiveSource source =
        LiveSource.builder(def).loader(store.loader(PREFIX)).scheduler(clock).build();
    toClose.add(source);
    source.start();

    DataPoint turnout = tree(source, "timed", "turnout");
    assertThat(((TimedSeriesData) turnout.dataPoints().get("60").data()).buckets())
        .containsExactly(
            Map.entry(minute - 2, 0L), Map.entry(minute - 1, 2L), Map.entry(minute, 4L));
    assertThat(((TimedSeriesData) turnout.dataPoints().get("3600").data()).buckets())
        .containsEntry(start.getEpochSecond() / 3600, 40L)
        .hasSize(3);
  }

  @Test
  void followsUpdatesAndDataPointsThatAppearAndVanish() {
    w().hset(PREFIX + ":stats:studytypes:data", Map.of("current", "1", "total", "10"));
    LiveSource source = live(election().build(), store.loader(PREFIX));
    List<String> events = new CopyOnWriteArrayList<>();
    source.addListener(
        new SourceListener() {
          @Override
          public void statChanged(Stat stat, EncodedMessage message) {
            events.add(message.event());
          }
        });
    source.start();
    await().atMost(Duration.ofSeconds(10)).until(store::isSubscriberConnected);

    w().hset(PREFIX + ":stats:studytypes:data", "current", "2");
    w().sadd(PREFIX + ":stats:studytypes:datapoints", "PG");
    w().hset(PREFIX + ":stats:studytypes:datapoints:PG:data", Map.of("current", "2", "total", "5"));
    w().publish(PREFIX + ":stats:studytypes:updates", "1");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              DataPoint t = tree(source, "proportion", "studytypes");
              assertThat(t.data()).isEqualTo(new ProportionData(2, 10));
              assertThat(t.dataPoints()).containsOnlyKeys("PG");
            });

    w().srem(PREFIX + ":stats:studytypes:datapoints", "PG");
    w().publish(PREFIX + ":stats:studytypes:updates", "1");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(tree(source, "proportion", "studytypes").dataPoints()).isEmpty());

    w().set(PREFIX + ":rolling:5m:stats:totalvotes:data", "77");
    w().publish(PREFIX + ":rolling:5m:stats:totalvotes:updates", "x");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(tree(source, "other", "5m:totalvotes").data())
                    .isEqualTo(new SingleValueData(77)));
    assertThat(events).contains("stats:other:5m:totalvotes");
  }

  @Test
  void oneSubscriberConnectionCarriesEveryStatOfEverySource() {
    LiveSource a = live(election().build(), store.loader(PREFIX));
    LiveSource b =
        live(
            SourceDefinition.builder("other")
                .stat("proportion", "total")
                .stat("proportion", "halls")
                .build(),
            store.loader("other:2018"));
    a.start();
    b.start();
    // election: 6 stats over 6 addresses; other: 2.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<String> subscribers;
              try (Jedis admin = redis.admin()) {
                subscribers =
                    admin.clientList().lines().filter(l -> !l.contains(" sub=0 ")).toList();
              }
              assertThat(subscribers).hasSize(1);
              assertThat(subscribers.get(0)).contains(" sub=8 ").contains("name=arithmospora");
            });
  }

  @Test
  void badDataNamesTheKeyAndFieldAndSparesOtherStats() throws Exception {
    w().hset(PREFIX + ":stats:total:data", Map.of("current", "1", "total", "10"));
    w().set(PREFIX + ":stats:totalvotes:data", "5");
    LiveSource source = live(election().build(), store.loader(PREFIX));
    source.start();
    await().atMost(Duration.ofSeconds(10)).until(store::isSubscriberConnected);

    w().hset(PREFIX + ":stats:total:data", "current", "lots");
    w().set(PREFIX + ":stats:colours:data", "not a hash");
    w().set(PREFIX + ":stats:totalvotes:data", "6");
    source.refreshAll();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(tree(source, "other", "totalvotes").data())
                    .isEqualTo(new SingleValueData(6)));
    assertThat(tree(source, "proportion", "total").data())
        .as("keeps its last good value")
        .isEqualTo(new ProportionData(1, 10));

    StatLoader loader = store.loader(PREFIX);
    StatLoader.ReadBatch batch = loader.newBatch();
    StatLoader.Reply<RawData> total =
        batch.read(NodeAddress.root(StatAddress.of("total")), ProportionType.INSTANCE.query(null));
    StatLoader.Reply<RawData> colours =
        batch.read(
            NodeAddress.root(StatAddress.of("colours")),
            org.arithmospora.core.type.NodeQuery.allFields());
    batch.execute();
    assertThatThrownBy(() -> ProportionType.INSTANCE.decode(null, total.get()))
        .isInstanceOf(StatReadException.class)
        .hasMessage(
            "election:2017:stats:total:data field 'current': value 'lots' is not an integer");
    assertThatThrownBy(colours::get)
        .isInstanceOf(StatReadException.class)
        .hasMessageStartingWith("election:2017:stats:colours:data: WRONGTYPE");
  }

  @Test
  void aWholeSourceIsReadInAsManyRoundTripsAsItsTreesAreDeep() {
    SourceDefinition.Builder def = SourceDefinition.builder("big").live(false);
    for (int i = 0; i < 60; i++) {
      String name = "stat" + i;
      def.stat(StatDefinition.of("proportion", name));
      String base = PREFIX + ":stats:" + name;
      w().hset(base + ":data", Map.of("current", Integer.toString(i), "total", "100"));
      w().sadd(base + ":datapoints", "A", "B", "C");
      for (String dp : List.of("A", "B", "C")) {
        w().hset(base + ":datapoints:" + dp + ":data", Map.of("current", "1", "total", "3"));
        w().sadd(base + ":datapoints:" + dp + ":datapoints", "x", "y");
        for (String leaf : List.of("x", "y")) {
          w().hset(
                  base + ":datapoints:" + dp + ":datapoints:" + leaf + ":data",
                  Map.of("current", "1", "total", "2"));
        }
      }
    }
    CountingLoader pipelined = new CountingLoader(store.loader(PREFIX), false);
    CountingLoader perKey = new CountingLoader(store.loader(PREFIX), true);
    long[] nanos = new long[2];
    CountingLoader[] loaders = {pipelined, perKey};
    // Warm up, then time one full read each; printed for the record, never asserted.
    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < 2; i++) {
        loaders[i].roundTrips.set(0);
        LiveSource s =
            LiveSource.builder(def.build())
                .loader(loaders[i])
                .scheduler(new ManualScheduler(Instant.now()))
                .build();
        long t0 = System.nanoTime();
        s.start();
        nanos[i] = System.nanoTime() - t0;
        assertThat(tree(s, "proportion", "stat59").find(List.of("C", "y")).orElseThrow().data())
            .isEqualTo(new ProportionData(1, 2));
        s.close();
      }
    }
    // 60 stats + 180 data points + 360 leaves, each with data and a data point set.
    assertThat(pipelined.roundTrips.get()).isEqualTo(3);
    assertThat(perKey.roundTrips.get()).isEqualTo(2 * (60 + 180 + 360));
    System.out.printf(
        "60-stat source, 600 nodes: pipelined %d round trips in %.1f ms; one command per key %d round trips in %.1f ms%n",
        pipelined.roundTrips.get(), nanos[0] / 1e6, perKey.roundTrips.get(), nanos[1] / 1e6);
  }

  @Test
  void aSilentlyDeadSubscriberConnectionIsReplaced() {
    w().hset(PREFIX + ":stats:total:data", Map.of("current", "1", "total", "10"));
    LiveSource source = live(election().build(), store.loader(PREFIX));
    source.start();
    await().atMost(Duration.ofSeconds(10)).until(store::isSubscriberConnected);
    assertThat(store.subscriberConnections()).isEqualTo(1);

    // Redis holds every client's commands, pings included, without closing anything.
    try (Jedis admin = redis.admin()) {
      admin.sendCommand(Protocol.Command.CLIENT, "PAUSE", "1500", "ALL");
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> store.subscriberConnections() >= 2);

    w().hset(PREFIX + ":stats:total:data", "current", "5");
    w().publish(PREFIX + ":stats:total:updates", "1");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(tree(source, "proportion", "total").data())
                    .isEqualTo(new ProportionData(5, 10)));
  }

  @Test
  void aUserWithoutSubscribeIsToldWhyAndHealsOnceGranted() {
    w().hset(PREFIX + ":stats:total:data", Map.of("current", "1", "total", "10"));
    try (Jedis admin = redis.admin()) {
      admin.aclSetUser("reader", "reset", "on", ">s3cret", "~*", "&*", "+@all", "-subscribe");
    }
    RedisStore limited =
        RedisStore.connect(
            redis
                .settings()
                .user("reader")
                .password("s3cret")
                .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(100))
                .build());
    toClose.add(limited);
    LiveSource source = live(election().build(), limited.loader(PREFIX));
    source.start();
    // The stats are read; the changes cannot be followed, and Redis's answer says why.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(limited.subscriberProblem())
                    .hasValueSatisfying(why -> assertThat(why).contains("NOPERM")));
    assertThat(tree(source, "proportion", "total").data()).isEqualTo(new ProportionData(1, 10));
    assertThat(limited.isSubscriberConnected()).isFalse();

    // Retries go on: once the user may subscribe, changes are heard.
    try (Jedis admin = redis.admin()) {
      admin.aclSetUser("reader", "+subscribe");
    }
    await().atMost(Duration.ofSeconds(10)).until(limited::isSubscriberConnected);
    assertThat(limited.subscriberProblem()).isEmpty();
    w().hset(PREFIX + ":stats:total:data", "current", "4");
    w().publish(PREFIX + ":stats:total:updates", "1");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(tree(source, "proportion", "total").data())
                    .isEqualTo(new ProportionData(4, 10)));
  }

  @Test
  void aSourceStartedWhileRedisIsDownLoadsOnceItIsUp() {
    RedisStore nowhere =
        RedisStore.connect(
            RedisSettings.builder()
                .host("127.0.0.1")
                .port(1)
                .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(100))
                .build());
    toClose.add(nowhere);
    LiveSource source = live(election().build(), nowhere.loader(PREFIX));
    source.start();
    assertThat(maybeTree(source, "proportion", "total")).isEmpty();
    assertThat(nowhere.ping()).isFalse();
  }
}
