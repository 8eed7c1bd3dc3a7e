package org.arithmospora.core;

import static org.arithmospora.core.JsonAssert.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.arithmospora.core.store.InMemoryStore;
import org.arithmospora.core.type.GenericData;
import org.arithmospora.core.type.ProportionData;
import org.arithmospora.core.type.ProportionType;
import org.arithmospora.core.type.RollingData;
import org.arithmospora.core.type.RollingType;
import org.arithmospora.core.type.SingleValueData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MilestoneTest {
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

  private LiveSource start(StatDefinition stat, MilestoneDefinition... milestones) {
    SourceDefinition def =
        SourceDefinition.builder("election")
            .stat(stat)
            .milestones(new MilestoneGroup("g", stat.group(), stat.key(), List.of(milestones)))
            .build();
    LiveSource source = LiveSource.builder(def).loader(store).scheduler(scheduler).build();
    source.addListener(listener);
    source.start();
    return source;
  }

  private void update(InMemoryStore.Node node) {
    node.publish();
    scheduler.advance(Duration.ofSeconds(1));
  }

  @ParameterizedTest(name = "{1} {0} {2} -> {3}")
  @CsvSource({
    ">,  50, 50, false", ">,  51, 50, true",
    ">=, 49, 50, false", ">=, 50, 50, true",
    "=,  49, 50, false", "=,  50, 50, true",
    "==, 51, 50, false", "==, 50, 50, true",
    "<=, 51, 50, false", "<=, 50, 50, true",
    "<,  50, 50, false", "<,  49, 50, true",
  })
  void everyComparator(String comparator, long value, double target, boolean met) {
    assertThat(ComparisonOperator.parse(comparator).test((double) value, target)).isEqualTo(met);

    // Start where the milestone is not met, so that meeting it later sends a message.
    long unmet = comparator.startsWith("<") ? 1000 : 0;
    store.stat("total").set("current", unmet).set("total", 1000);
    start(
        StatDefinition.of("proportion", "total"),
        new MilestoneDefinition("m", null, "current", target, comparator, "met"));
    store.stat("total").set("current", value);
    update(store.stat("total"));
    assertThat(listener.milestones).hasSize(met ? 1 : 0);
  }

  @Test
  void anUnknownComparatorIsRejectedListingTheValidOnes() {
    assertThatThrownBy(() -> new MilestoneDefinition("m", null, "current", 1, "=>", "x"))
        .hasMessage("unknown comparator '=>'; expected one of '>', '>=', '=', '<=', '<' or '=='");
  }

  @Test
  void aMilestoneIsSentOnceWithItsTime() {
    start(
        StatDefinition.of("proportion", "total"),
        new MilestoneDefinition("first voter", null, "current", 1, ">=", "The first vote is in"));
    scheduler.advance(Duration.ofMinutes(1));
    store.stat("total").set("current", 1).set("total", 100);
    update(store.stat("total"));
    store.stat("total").set("current", 2);
    update(store.stat("total"));

    assertThat(listener.milestones).hasSize(1);
    assertJsonEquals(
        """
        {"event":"milestone","payload":{"name":"first voter","dataPointNames":[],"field":"current","target":1,
         "comparator":">=","message":"The first vote is in","achievedWhen":"2017-03-03T12:01:00.2Z"}}""",
        listener.milestones.get(0).text());
  }

  @Test
  void aMilestoneMetAtStartIsAchievedSilently() {
    store.stat("total").set("current", 600).set("total", 1000);
    LiveSource source =
        start(
            StatDefinition.of("proportion", "total"),
            new MilestoneDefinition("half", null, "percentage", 50, ">=", "50% turnout!"));
    store.stat("total").set("current", 700);
    update(store.stat("total"));
    assertThat(listener.milestones).isEmpty();
    assertThat(source.achievedWhen("half")).contains(T0);
    assertThat(source.milestonesAchieved()).isZero();
  }

  @Test
  void dataPointPathsReachNestedData() {
    InMemoryStore.Node t =
        store.stat("studytypes").dataPoint("PG").dataPoint("T").set("current", 1).set("total", 4);
    start(
        StatDefinition.of("proportion", "studytypes"),
        new MilestoneDefinition(
            "pgt half", List.of("PG", "T"), "percentage", 50, ">=", "Half the PGTs"),
        new MilestoneDefinition(
            "missing", List.of("UG"), "current", 0, ">=", "never: no UG data point"));
    t.set("current", 2);
    update(store.stat("studytypes"));
    assertThat(listener.achievements)
        .extracting(a -> a.milestone().name())
        .containsExactly("pgt half");
  }

  @Test
  void peakPercentageOfRollingStatsIsReadable() {
    StatDefinition rolling = StatDefinition.of("rolling", "total").withPeriod("5m");
    store.stat("total", "5m").set("current", 1).set("total", 100).set("peak", 5);
    start(
        rolling,
        new MilestoneDefinition(
            "busy", null, "peakPercentage", 10, ">", "Busiest five minutes yet"));
    store.stat("total", "5m").set("peak", 11);
    update(store.stat("total", "5m"));
    assertThat(listener.milestones).hasSize(1);
  }

  @Test
  void everyFieldOfEveryBuiltInTypeIsReadable() {
    RollingData r = new RollingData(5, 20, 10);
    assertThat(r.field("current")).hasValue(5);
    assertThat(r.field("total")).hasValue(20);
    assertThat(r.field("peak")).hasValue(10);
    assertThat(r.field("proportion")).hasValue(0.25);
    assertThat(r.field("percentage")).hasValue(25);
    assertThat(r.field("peakProportion")).hasValue(0.5);
    assertThat(r.field("peakPercentage")).hasValue(50);
    assertThat(r.field("peakPewrcentage")).isEmpty();
    ProportionData p = new ProportionData(1, 4);
    assertThat(p.field("current")).hasValue(1);
    assertThat(p.field("total")).hasValue(4);
    assertThat(p.field("proportion")).hasValue(0.25);
    assertThat(p.field("percentage")).hasValue(25);
    assertThat(new SingleValueData(7).field("anything")).hasValue(7);
    assertThat(new GenericData(java.util.Map.of("a", 3L)).field("a")).hasValue(3);
    assertThat(new GenericData(java.util.Map.of("a", 3L)).field("b")).hasValue(0);
    for (String f : RollingType.INSTANCE.fieldNames()) {
      assertThat(r.field(f)).as(f).isPresent();
    }
    for (String f : ProportionType.INSTANCE.fieldNames()) {
      assertThat(p.field(f)).as(f).isPresent();
    }
  }

  @Test
  void aFieldTheTypeDoesNotHaveIsRejected() {
    assertThatThrownBy(
            () ->
                start(
                    StatDefinition.of("proportion", "total"),
                    new MilestoneDefinition("m", null, "peak", 1, ">", "x")))
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessageContaining(
            "milestones[0].milestones[0].field: a proportion stat has no field 'peak'; "
                + "its fields: current, percentage, proportion, total");
  }

  @Test
  void aMilestoneForAMissingStatIsAConfigError() {
    assertThatThrownBy(
            () ->
                SourceDefinition.builder("e")
                    .stat("proportion", "total")
                    .milestones(new MilestoneGroup("g", "proportion", "turnout", List.of()))
                    .build())
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessage(
            "source 'e': milestones[0].stat: no stat 'turnout' in group 'proportion'; "
                + "stats there: total");
  }
}
