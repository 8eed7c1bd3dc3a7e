package org.arithmospora.core;

import static org.arithmospora.core.JsonAssert.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.arithmospora.core.store.InMemoryStore;
import org.arithmospora.core.store.NodeAddress;
import org.arithmospora.core.store.StatAddress;
import org.arithmospora.core.store.StatLoader;
import org.arithmospora.core.store.StatReadException;
import org.arithmospora.core.type.ProportionData;
import org.arithmospora.core.type.ProportionType;
import org.arithmospora.core.type.RawData;
import org.arithmospora.core.type.StatTypeRegistry;
import org.arithmospora.core.wire.EncodedMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LiveSourceTest {
  private static final Instant T0 = Instant.parse("2017-03-03T12:00:00Z");

  private ManualScheduler scheduler;
  private InMemoryStore store;
  private RecordingListener listener;

  @BeforeEach
  void setUp() {
    scheduler = new ManualScheduler(T0);
    store = new InMemoryStore();
    listener = new RecordingListener();
  }

  private SourceDefinition.Builder election() {
    return SourceDefinition.builder("election")
        .stat("proportion", "total")
        .stat("proportion", "studytypes")
        .stat(StatDefinition.of("rolling", "total").withPeriod("5m"))
        .stat(StatDefinition.of("other", "totalvotes").withDataType("single_value"))
        .stat(StatDefinition.of("other", "colours").withDataType("generic"));
  }

  private LiveSource start(SourceDefinition definition) {
    LiveSource source = LiveSource.builder(definition).loader(store).scheduler(scheduler).build();
    source.addListener(listener);
    source.start();
    return source;
  }

  private static String payloadOf(EncodedMessage m) {
    return JsonAssert.parse(m.text()).get("payload").toString();
  }

  @Test
  void loadsEveryStatWithNestedDataPoints() {
    store.stat("total").set("current", 71).set("total", 200);
    InMemoryStore.Node studytypes = store.stat("studytypes").set("current", 4).set("total", 10);
    InMemoryStore.Node pg = studytypes.dataPoint("PG").set("current", 4).set("total", 8);
    pg.dataPoint("T").set("current", 1).set("total", 4);
    pg.dataPoint("R").set("current", 3).set("total", 4);
    store.stat("total", "5m").set("current", 3).set("total", 200).set("peak", 9);
    store.stat("totalvotes").setValue(2345);
    store.stat("colours").set("red", 1).set("blue", 2);

    LiveSource source = start(election().build());

    assertThat(listener.events())
        .containsExactly(
            "stats:proportion:total",
            "stats:proportion:studytypes",
            "stats:rolling:5m:total",
            "stats:other:totalvotes",
            "stats:other:colours");
    assertJsonEquals(
        """
        {"name":"studytypes","data":{"current":4,"total":10,"proportion":0.4,"percentage":40},
         "dataPoints":{"PG":{"name":"PG","data":{"current":4,"total":8,"proportion":0.5,"percentage":50},
           "dataPoints":{"R":{"name":"R","data":{"current":3,"total":4,"proportion":0.75,"percentage":75},"dataPoints":{}},
                         "T":{"name":"T","data":{"current":1,"total":4,"proportion":0.25,"percentage":25},"dataPoints":{}}}}}}""",
        payloadOf(listener.last("stats:proportion:studytypes")));
    assertJsonEquals(
        """
        {"name":"total","data":{"current":3,"total":200,"peak":9,"proportion":0.015,"percentage":1.5,
         "peakProportion":0.045,"peakPercentage":4.5},"dataPoints":{}}""",
        payloadOf(listener.last("stats:rolling:5m:total")));
    assertJsonEquals(
        "{\"name\":\"totalvotes\",\"data\":{\"totalvotes\":2345},\"dataPoints\":{}}",
        payloadOf(listener.last("stats:other:totalvotes")));
    assertJsonEquals(
        "{\"name\":\"colours\",\"data\":{\"red\":1,\"blue\":2},\"dataPoints\":{}}",
        payloadOf(listener.last("stats:other:colours")));
    assertThat(source.find("proportion", "total").orElseThrow().message().orElseThrow())
        .isSameAs(listener.last("stats:proportion:total"));
    assertThat(source.updatesPublished()).isEqualTo(5);
  }

  @Test
  void missingKeysAndFieldsReadAsZero() {
    start(election().build());
    assertJsonEquals(
        """
        {"name":"total","data":{"current":0,"total":0,"proportion":0,"percentage":0},"dataPoints":{}}""",
        payloadOf(listener.last("stats:proportion:total")));
    assertJsonEquals(
        "{\"name\":\"totalvotes\",\"data\":{\"totalvotes\":0},\"dataPoints\":{}}",
        payloadOf(listener.last("stats:other:totalvotes")));
  }

  @Test
  void aNotificationLeadsToOneReReadAfterTheQuietTime() {
    store.stat("total").set("current", 1).set("total", 10);
    start(election().build());
    listener.clear();

    store.stat("total").set("current", 2).publish();
    scheduler.advance(Duration.ofMillis(100));
    store.stat("total").set("current", 3).publish();
    scheduler.advance(Duration.ofMillis(199));
    assertThat(listener.events()).isEmpty();
    scheduler.advance(Duration.ofMillis(1));

    assertThat(listener.events()).containsExactly("stats:proportion:total");
    assertThat(payloadOf(listener.last("stats:proportion:total"))).contains("\"current\":3");
  }

  @Test
  void anUnchangedReReadSendsNothing() {
    store.stat("total").set("current", 1).set("total", 10);
    LiveSource source = start(election().build());
    listener.clear();
    store.stat("total").publish();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(listener.events()).isEmpty();
    assertThat(source.updatesPublished()).isEqualTo(5);
  }

  @Test
  void dataPointsThatAppearOrVanishAtRunTimeArePickedUp() {
    InMemoryStore.Node studytypes = store.stat("studytypes").set("current", 1).set("total", 2);
    studytypes.dataPoint("UG").set("current", 1).set("total", 2);
    LiveSource source = start(election().build());
    assertThat(
            source
                .find("proportion", "studytypes")
                .orElseThrow()
                .current()
                .orElseThrow()
                .dataPoints())
        .containsOnlyKeys("UG");

    studytypes
        .dataPoint("PG")
        .set("current", 0)
        .set("total", 5)
        .dataPoint("R")
        .set("current", 0)
        .set("total", 1);
    studytypes.publish();
    scheduler.advance(Duration.ofSeconds(1));
    DataPoint tree = source.find("proportion", "studytypes").orElseThrow().current().orElseThrow();
    assertThat(tree.dataPoints()).containsOnlyKeys("PG", "UG");
    assertThat(tree.find(java.util.List.of("PG", "R"))).isPresent();

    studytypes.removeDataPoint("UG").publish();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(
            source
                .find("proportion", "studytypes")
                .orElseThrow()
                .current()
                .orElseThrow()
                .dataPoints())
        .containsOnlyKeys("PG");
  }

  @Test
  void badDataKeepsTheStatsLastValueAndOtherStatsGoOn() {
    store.stat("total").set("current", 1).set("total", 10);
    store.stat("totalvotes").setValue(5);
    LiveSource source = start(election().build());
    listener.clear();

    store.stat("total").setRaw("current", "lots");
    store.stat("totalvotes").setValue(6);
    source.refreshAll();

    assertThat(listener.events()).containsExactly("stats:other:totalvotes");
    Stat total = source.find("proportion", "total").orElseThrow();
    assertThat(total.current().orElseThrow().data()).isEqualTo(new ProportionData(1, 10));
    assertThat(total.problem())
        .contains("memory:total field 'current': value 'lots' is not an integer");

    store.stat("total").set("current", 7);
    source.refreshAll();
    assertThat(total.problem()).isEmpty();
    assertThat(listener.events())
        .containsExactly("stats:other:totalvotes", "stats:proportion:total");
  }

  @Test
  void badDataInADeepDataPointFailsOnlyItsStat() throws Exception {
    store.stat("studytypes").dataPoint("PG").dataPoint("T").setRaw("total", "12.5");
    store.stat("total").set("current", 1).set("total", 2);
    LiveSource source = start(election().build());
    assertThat(source.find("proportion", "studytypes").orElseThrow().current()).isEmpty();
    assertThat(source.find("proportion", "total").orElseThrow().current()).isPresent();

    // The error names the node and field.
    StatLoader.ReadBatch batch = store.newBatch();
    NodeAddress t = NodeAddress.root(StatAddress.of("studytypes")).child("PG").child("T");
    StatLoader.Reply<RawData> reply = batch.read(t, ProportionType.INSTANCE.query(null));
    batch.execute();
    assertThatThrownBy(() -> ProportionType.INSTANCE.decode(null, reply.get()))
        .isInstanceOf(StatReadException.class)
        .hasMessage("memory:studytypes/PG/T field 'total': value '12.5' is not an integer");
  }

  @Test
  void anOutageKeepsValuesAndAResynchronisationPublishesWhatChanged() {
    store.stat("total").set("current", 1).set("total", 10);
    LiveSource source = start(election().build());
    listener.clear();

    store.setAvailable(false);
    source.refreshAll();
    assertThat(listener.events()).isEmpty();
    assertThat(source.find("proportion", "total").orElseThrow().current()).isPresent();

    store.stat("total").set("current", 9);
    store.setAvailable(true);
    assertThat(listener.events()).containsExactly("stats:proportion:total");
  }

  @Test
  void aSourceThatStartsWithTheStoreDownLoadsWhenItComesBack() {
    store.setAvailable(false);
    store.stat("total").set("current", 4).set("total", 10);
    LiveSource source =
        start(SourceDefinition.builder("archive").live(false).stat("proportion", "total").build());
    assertThat(source.find("proportion", "total").orElseThrow().current()).isEmpty();

    scheduler.advance(Duration.ofSeconds(1));
    assertThat(listener.events()).isEmpty();
    store.setAvailable(true);
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(listener.events()).containsExactly("stats:proportion:total");
  }

  @Test
  void everyTwoMinutesEverythingIsReadAgain() {
    store.stat("total").set("current", 1).set("total", 10);
    start(election().build());
    listener.clear();

    store.stat("total").set("current", 2); // no notification
    scheduler.advance(Duration.ofSeconds(119));
    assertThat(listener.events()).isEmpty();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(listener.events()).containsExactly("stats:proportion:total");

    store.stat("total").set("current", 3);
    scheduler.advance(Duration.ofMinutes(2));
    assertThat(listener.events()).hasSize(2);
  }

  @Test
  void aSourceThatIsNotLiveLoadsOnceAndNeverListens() {
    store.stat("total").set("current", 1).set("total", 10);
    start(SourceDefinition.builder("archive").live(false).stat("proportion", "total").build());
    listener.clear();
    store.stat("total").set("current", 2).publish();
    scheduler.advance(Duration.ofMinutes(10));
    assertThat(listener.events()).isEmpty();
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void closingStopsFollowing() {
    store.stat("total").set("current", 1).set("total", 10);
    LiveSource source = start(election().build());
    listener.clear();
    source.close();
    store.stat("total").set("current", 2).publish();
    scheduler.advance(Duration.ofMinutes(5));
    assertThat(listener.events()).isEmpty();
  }

  @Test
  void aFailingListenerDoesNotStopOthers() {
    store.stat("total").set("current", 1).set("total", 10);
    LiveSource source =
        LiveSource.builder(election().build()).loader(store).scheduler(scheduler).build();
    source.addListener(
        new SourceListener() {
          @Override
          public void statChanged(Stat stat, EncodedMessage message) {
            throw new IllegalStateException("boom");
          }
        });
    source.addListener(listener);
    source.start();
    assertThat(listener.events()).hasSize(5);
  }

  @Test
  void anUnknownDataTypeIsReportedWithTheStatAndTheKnownTypes() {
    SourceDefinition def =
        SourceDefinition.builder("s")
            .stat(StatDefinition.of("other", "candidates").withDataType("ranked"))
            .build();
    assertThatThrownBy(() -> LiveSource.builder(def).loader(store).scheduler(scheduler).build())
        .isInstanceOf(IllegalArgumentException.class)
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessage(
            "source 's': stats.other[0].data_type: unknown data type 'ranked'; "
                + "known types: generic, proportion, rolling, single_value, timed");
  }

  @Test
  void anUnknownLoaderTypeIsReported() {
    SourceDefinition def =
        SourceDefinition.builder("s")
            .stat(StatDefinition.of("proportion", "total").withLoaderType("postgres"))
            .build();
    assertThatThrownBy(
            () -> LiveSource.builder(def).loader("redis", store).scheduler(scheduler).build())
        .hasMessageContaining("no loader for loader type 'postgres'; known: redis");
  }

  @Test
  void definitionsRejectDuplicateKeysAndRollingStatsWithoutPeriod() {
    assertThatThrownBy(
            () ->
                SourceDefinition.builder("s")
                    .stat(StatDefinition.of("rolling", "total").withPeriod("5m"))
                    .stat(StatDefinition.of("rolling", "total").withPeriod("5m"))
                    .build())
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessage(
            "source 's': stats.rolling[1]: stat key '5m:total' appears twice in group 'rolling'");
    // What the types know is checked against the types: every problem at once, with its path.
    assertThat(
            SourceDefinition.builder("s")
                .stat("rolling", "total")
                .stat("other", "x")
                .build()
                .problems(StatTypeRegistry.ofDefaults()))
        .extracting(Problem::toString)
        .containsExactly(
            "stats.rolling[0].period: is required for rolling stats (e.g. \"5m\")",
            "stats.other[0].data_type: is required in group 'other'; "
                + "one of generic, proportion, rolling, single_value, timed");
    // Same name, different periods: both allowed, as in the Go sample config.
    assertThat(
            SourceDefinition.builder("s")
                .stat(StatDefinition.of("rolling", "total").withPeriod("5m"))
                .stat(StatDefinition.of("rolling", "total").withPeriod("1h"))
                .build()
                .stats())
        .hasSize(2);
  }
}
