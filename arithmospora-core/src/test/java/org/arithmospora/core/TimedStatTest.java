package org.arithmospora.core;

import static org.arithmospora.core.JsonAssert.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.arithmospora.core.store.InMemoryStore;
import org.arithmospora.core.store.NodeAddress;
import org.arithmospora.core.store.StatAddress;
import org.arithmospora.core.type.EmptyData;
import org.arithmospora.core.type.StatTypeRegistry;
import org.arithmospora.core.type.TimedSeriesData;
import org.arithmospora.core.type.TimedType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Timed windows across bucket boundaries and past the freeze, on a virtual clock. */
class TimedStatTest {
  private static final Instant START = Instant.parse("2017-03-03T12:00:00Z"); // a whole hour
  private static final Instant END = START.plus(Duration.ofHours(1));
  private static final long START_MINUTE = START.getEpochSecond() / 60;

  private ManualScheduler scheduler;
  private InMemoryStore store;
  private RecordingListener listener;
  private LiveSource source;

  @BeforeEach
  void setUp() {
    scheduler = new ManualScheduler(START.plusSeconds(30));
    store = new InMemoryStore();
    listener = new RecordingListener();
  }

  private void start(TimedPeriod... periods) {
    SourceDefinition.Builder b =
        SourceDefinition.builder("election").startTime(START).endTime(END).stat("timed", "turnout");
    for (TimedPeriod p : periods) {
      b.timedPeriod(p);
    }
    source = LiveSource.builder(b.build()).loader(store).scheduler(scheduler).build();
    source.addListener(listener);
    source.start();
  }

  private InMemoryStore.Node series(long granularity) {
    // Site writers HINCRBY <base>:datapoints:<g>:data <bucket> 1; the timed stat never reads a
    // :datapoints set, so the handle is made directly from its address.
    return store.node(
        NodeAddress.root(StatAddress.of("turnout")).child(Long.toString(granularity)));
  }

  private java.util.NavigableMap<Long, Long> buckets(long granularity) {
    DataPoint tree = source.find("timed", "turnout").orElseThrow().current().orElseThrow();
    return ((TimedSeriesData) tree.dataPoints().get(Long.toString(granularity)).data()).buckets();
  }

  @Test
  void aMovingWindowHoldsCyclesPlusOneBucketsEndingNow() {
    series(60)
        .set(Long.toString(START_MINUTE), 4)
        .set(Long.toString(START_MINUTE - 2), 1)
        .set(Long.toString(START_MINUTE - 9), 99);
    start(new TimedPeriod(60, 3));
    assertThat(buckets(60))
        .containsExactly(
            Map.entry(START_MINUTE - 3, 0L), Map.entry(START_MINUTE - 2, 1L),
            Map.entry(START_MINUTE - 1, 0L), Map.entry(START_MINUTE, 4L));
    assertJsonEquals(
        "{\"name\":\"turnout\",\"data\":{},\"dataPoints\":{\"60\":{\"name\":\"60\",\"data\":{"
            + "\""
            + (START_MINUTE - 3)
            + "\":0,\""
            + (START_MINUTE - 2)
            + "\":1,\""
            + (START_MINUTE - 1)
            + "\":0,\""
            + START_MINUTE
            + "\":4},\"dataPoints\":{}}}}",
        JsonAssert.parse(listener.last("stats:timed:turnout").text()).get("payload").toString());
  }

  @Test
  void theWindowMovesAtTheBucketBoundaryWithoutAnyVote() {
    series(60).set(Long.toString(START_MINUTE), 4);
    start(new TimedPeriod(60, 3));
    listener.clear();

    scheduler.advanceTo(START.plusSeconds(59));
    assertThat(listener.events()).isEmpty();
    scheduler.advanceTo(START.plusSeconds(60));

    assertThat(listener.events()).containsExactly("stats:timed:turnout");
    assertThat(buckets(60).keySet())
        .containsExactly(START_MINUTE - 2, START_MINUTE - 1, START_MINUTE, START_MINUTE + 1);
    assertThat(buckets(60).get(START_MINUTE)).isEqualTo(4);

    scheduler.advanceTo(START.plusSeconds(180));
    assertThat(listener.events()).hasSize(3);
    assertThat(buckets(60).firstKey()).isEqualTo(START_MINUTE);
  }

  @Test
  void aWholeEventPeriodRunsFromStartToAnHourAfterTheEnd() {
    long firstBucket = START.getEpochSecond() / 300;
    series(300).set(Long.toString(firstBucket), 7).set(Long.toString(firstBucket - 1), 50);
    start(new TimedPeriod(300, -1));
    Map<Long, Long> b = buckets(300);
    // Two hours of five-minute buckets, both ends included.
    assertThat(b).hasSize(25);
    assertThat(b.keySet()).first().isEqualTo(firstBucket);
    assertThat(b.keySet()).last().isEqualTo(END.plus(Duration.ofHours(1)).getEpochSecond() / 300);
    assertThat(b.get(firstBucket)).isEqualTo(7);
    assertThat(b).doesNotContainKey(firstBucket - 1);
  }

  @Test
  void aWholeEventWindowDoesNotMoveWithTheClock() {
    start(new TimedPeriod(300, -1));
    listener.clear();
    scheduler.advance(Duration.ofMinutes(30));
    assertThat(listener.events()).isEmpty();
  }

  @Test
  void timeFreezesFiveMinutesAfterTheEnd() {
    start(new TimedPeriod(60, 2), new TimedPeriod(3600, -1));
    scheduler.advanceTo(END.plus(Duration.ofMinutes(5)));
    long frozenMinute = END.plus(Duration.ofMinutes(5)).getEpochSecond() / 60;
    assertThat(buckets(60).keySet())
        .containsExactly(frozenMinute - 2, frozenMinute - 1, frozenMinute);
    listener.clear();

    series(60).set(Long.toString(frozenMinute + 3), 5);
    scheduler.advanceTo(END.plus(Duration.ofMinutes(30)));
    assertThat(listener.events()).as("no window moves after the freeze").isEmpty();

    source.refreshAll();
    assertThat(buckets(60).keySet())
        .containsExactly(frozenMinute - 2, frozenMinute - 1, frozenMinute);
    assertThat(listener.events()).isEmpty();
  }

  @Test
  void nextTimeChangeStopsAtTheFreeze() {
    SourceDefinition def =
        SourceDefinition.builder("e")
            .startTime(START)
            .endTime(END)
            .timedPeriod(60, 5)
            .stat("timed", "turnout")
            .build();
    StatDefinition stat = def.stats().get(0);
    assertThat(TimedType.INSTANCE.nextTimeChange(def, stat, START.plusSeconds(10)))
        .contains(START.plusSeconds(60));
    Instant freeze = END.plus(TimedType.FREEZE_AFTER_END);
    assertThat(TimedType.INSTANCE.nextTimeChange(def, stat, freeze.minusSeconds(1)))
        .contains(freeze);
    assertThat(TimedType.INSTANCE.nextTimeChange(def, stat, freeze)).isEmpty();
  }

  @Test
  void eachPeriodIsADataPointNamedByItsGranularity() {
    start(new TimedPeriod(60, 30), new TimedPeriod(300, -1), new TimedPeriod(3600, -1));
    DataPoint tree = source.find("timed", "turnout").orElseThrow().current().orElseThrow();
    assertThat(tree.data()).isEqualTo(EmptyData.INSTANCE);
    assertThat(tree.dataPoints()).containsOnlyKeys("60", "300", "3600");
    assertThat(buckets(60)).hasSize(31);
    assertThat(buckets(3600)).hasSize(3);
    assertThat(tree.dataPoints().get("60").dataPoints()).isEmpty();
  }

  @Test
  void aMovingWindowDoesNotAnnounceTheStoreBackWhileItIsStillDown() throws Exception {
    // On a real clock, a timed window's re-read runs a little after the boundary it was planned
    // for. Taken for "the stats that change now", that found none, and reading none was taken
    // for the store answering: "store reachable again" while it was down, and no more retries.
    InMemoryStore down = new InMemoryStore();
    down.setAvailable(false);
    Instant now = Instant.now();
    try (LiveSource live =
        LiveSource.builder(
                SourceDefinition.builder("election")
                    .startTime(now.minusSeconds(3600))
                    .endTime(now.plusSeconds(3600))
                    .timedPeriod(1, 3)
                    .stat("timed", "turnout")
                    .build())
            .loader(down)
            .build()) {
      live.start();
      assertThat(live.isStoreAvailable()).isFalse();
      // Several one-second windows move meanwhile; none may be taken for the store answering.
      for (int i = 0; i < 25; i++) {
        Thread.sleep(100);
        assertThat(live.isStoreAvailable()).as("after %d ms", (i + 1) * 100).isFalse();
      }
      down.setAvailable(true);
      // The retries go on (1 s, then 2 s…): the store is found again within seconds.
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!live.isStoreAvailable() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(live.isStoreAvailable()).as("back once the store answers").isTrue();
    }
  }

  @Test
  void wholeEventPeriodsWithoutEventTimesAreAConfigError() {
    // The timed type checks its own definitions, so the rule holds where types are known.
    SourceDefinition def =
        SourceDefinition.builder("e")
            .timedPeriod(300, -1)
            .stat("timed", "turnout")
            .stat("timed", "registered")
            .build();
    assertThat(def.problems(StatTypeRegistry.ofDefaults()))
        .containsExactly(
            new Problem(
                "", "whole-event timed periods (cycles < 0) need both start_time and end_time"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> LiveSource.builder(def).loader(store).scheduler(scheduler).build())
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessage(
            "source 'e': whole-event timed periods (cycles < 0) need both start_time and end_time");
  }

  @Test
  void milestonesCanReadTheSumOfAWindow() {
    series(60).set(Long.toString(START_MINUTE), 4);
    SourceDefinition def =
        SourceDefinition.builder("election")
            .startTime(START)
            .endTime(END)
            .timedPeriod(60, 3)
            .stat("timed", "turnout")
            .milestones(
                new MilestoneGroup(
                    "busy",
                    "timed",
                    "turnout",
                    List.of(
                        new MilestoneDefinition("busy", List.of("60"), "sum", 10, ">=", "Busy!"))))
            .build();
    source = LiveSource.builder(def).loader(store).scheduler(scheduler).build();
    source.addListener(listener);
    source.start();
    series(60).set(Long.toString(START_MINUTE), 10);
    store.stat("turnout").publish();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(listener.milestones).hasSize(1);
  }
}
