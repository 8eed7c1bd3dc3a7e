package org.arithmospora.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.arithmospora.core.type.StatTypeRegistry;
import org.junit.jupiter.api.Test;

class SourceDefinitionTest {

  @Test
  void buildReportsEveryProblemOfTheDefinitionWithItsPath() {
    SourceDefinition.Builder b =
        SourceDefinition.builder("a/b")
            .startTime(Instant.parse("2017-03-03T12:00:00Z"))
            .endTime(Instant.parse("2017-03-03T11:00:00Z"))
            .timedPeriod(0, 5)
            .timedPeriod(60, 5)
            .timedPeriod(60, -1)
            .stat("proportion", "total")
            .stat("proportion", "total")
            .milestones(new MilestoneGroup("g", "single", "x", List.of()));
    assertThatThrownBy(b::build)
        .isInstanceOf(InvalidDefinitionException.class)
        .satisfies(
            e ->
                assertThat(((InvalidDefinitionException) e).problems())
                    .extracting(Problem::toString)
                    .containsExactly(
                        "name: source name 'a/b' must not contain '/': it is the endpoint path",
                        "end_time: is before start_time",
                        "timed_stat_periods[0].granularity: must be at least 1 second, got 0",
                        "timed_stat_periods[2].granularity: granularity 60 is given twice",
                        "stats.proportion[1]: stat key 'total' appears twice in group 'proportion'",
                        "milestones[0].stat: no stat 'x' in group 'single'"));
  }

  @Test
  void typesAndFieldsAreCheckedAgainstTheRegistryInUse() {
    StatTypeRegistry types =
        StatTypeRegistry.builder().registerDefaults().register(new DiscoverableType()).build();
    String custom = new DiscoverableType().name();
    SourceDefinition def =
        SourceDefinition.builder("s")
            .stat(StatDefinition.of("other", "x").withDataType(custom))
            .milestones(
                new MilestoneGroup(
                    "g",
                    "other",
                    "x",
                    List.of(new MilestoneDefinition("m", null, "nope", 1, ">=", ""))))
            .build();
    assertThat(def.problems(types))
        .extracting(Problem::path)
        .contains("milestones[0].milestones[0].field");
    assertThat(def.problems(StatTypeRegistry.ofDefaults()))
        .extracting(Problem::path)
        .containsExactly("stats.other[0].data_type");
  }

  @Test
  void theBuilderCanBeAskedBeforeBuilding() {
    SourceDefinition.Builder b = SourceDefinition.builder("s").stat("rolling", "total");
    assertThat(b.problems(null)).isEmpty();
    assertThat(b.problems(StatTypeRegistry.ofDefaults()))
        .containsExactly(
            new Problem("stats.rolling[0].period", "is required for rolling stats (e.g. \"5m\")"));
  }

  @Test
  void theComparatorIsAnOperatorThatKeepsItsSpelling() {
    MilestoneDefinition m = new MilestoneDefinition("m", null, "current", 1, "==", "");
    assertThat(m.operator()).isEqualTo(ComparisonOperator.DOUBLE_EQUAL);
    assertThat(m.comparator()).isEqualTo("==");
    assertThat(m.operator().test(1, 1)).isTrue();
    assertThat(ComparisonOperator.parse("=").test(1, 1)).isTrue();
  }
}
