package org.arithmospora.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.arithmospora.core.type.StatType;
import org.arithmospora.core.type.StatTypeRegistry;

/**
 * A source as configured: its name (and endpoint path), whether it is live, the event's time
 * bounds, its timed periods, its stats in configuration order and its milestones. Immutable; build
 * one with {@link #builder(String)}.
 *
 * <p>Checking happens in two steps, each reporting every {@link Problem} with its path. {@link
 * Builder#build()} checks what the definition says of itself: names, duplicates, times, and that
 * each milestone's stat exists. {@link #problems(StatTypeRegistry)} checks it against the stat
 * types it will be read with: each stat's data type exists and accepts the stat (a {@link StatType}
 * validates its own definitions), and each milestone's field is one its stat has. {@link
 * LiveSource} runs the second step with its registry.
 */
public final class SourceDefinition {
  private final String name;
  private final boolean live;
  private final Instant startTime;
  private final Instant endTime;
  private final List<TimedPeriod> timedPeriods;
  private final List<StatDefinition> stats;
  private final Map<String, List<StatDefinition>> groups;
  private final List<MilestoneGroup> milestoneGroups;

  private SourceDefinition(Builder b) {
    this.name = b.name;
    this.live = b.live;
    this.startTime = b.startTime;
    this.endTime = b.endTime;
    List<TimedPeriod> periods = new ArrayList<>();
    for (long[] p : b.timedPeriods) {
      if (TimedPeriod.granularityProblem(p[0]) == null) {
        periods.add(new TimedPeriod(p[0], p[1]));
      }
    }
    this.timedPeriods = List.copyOf(periods);
    this.stats = List.copyOf(b.stats);
    Map<String, List<StatDefinition>> byGroup = new LinkedHashMap<>();
    for (StatDefinition s : stats) {
      byGroup.computeIfAbsent(s.group(), g -> new ArrayList<>()).add(s);
    }
    byGroup.replaceAll((g, list) -> List.copyOf(list));
    this.groups = Collections.unmodifiableMap(byGroup);
    this.milestoneGroups = List.copyOf(b.milestoneGroups);
  }

  /** A builder for a source named {@code name}; live by default. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The source's name; also its endpoint path {@code /<name>}. */
  public String name() {
    return name;
  }

  /** Whether changes are followed; {@code false} means load once (an archived event). */
  public boolean isLive() {
    return live;
  }

  /** When the event starts, if configured. */
  public Optional<Instant> startTime() {
    return Optional.ofNullable(startTime);
  }

  /** When the event ends, if configured. */
  public Optional<Instant> endTime() {
    return Optional.ofNullable(endTime);
  }

  /** The periods of every timed stat of this source. */
  public List<TimedPeriod> timedPeriods() {
    return timedPeriods;
  }

  /** Every stat in configuration order. */
  public List<StatDefinition> stats() {
    return stats;
  }

  /** The groups that have stats, in order of first appearance, each with its stats in order. */
  public Map<String, List<StatDefinition>> groups() {
    return groups;
  }

  /** The stat with the given key in the given group. */
  public Optional<StatDefinition> find(String group, String key) {
    return groups.getOrDefault(group, List.of()).stream()
        .filter(s -> s.key().equals(key))
        .findFirst();
  }

  /**
   * This definition, live or not: e.g. to load an event once, as {@code arithmospora list} does.
   */
  public SourceDefinition withLive(boolean isLive) {
    if (isLive == live) {
      return this;
    }
    Builder b = builder(name).live(isLive).startTime(startTime).endTime(endTime);
    timedPeriods.forEach(b::timedPeriod);
    stats.forEach(b::stat);
    milestoneGroups.forEach(b::milestones);
    return b.build();
  }

  /** The milestone collections. */
  public List<MilestoneGroup> milestoneGroups() {
    return milestoneGroups;
  }

  /**
   * What is wrong with this definition when read with {@code types}: unknown or missing data types,
   * what each type finds wrong with its stats, and milestones on fields their stat does not have.
   *
   * @return every problem, each with its path; empty when there is none
   */
  public List<Problem> problems(StatTypeRegistry types) {
    Problems problems = new Problems();
    checkTypes(types, problems);
    return problems.list();
  }

  private void checkTypes(StatTypeRegistry types, Problems problems) {
    Map<StatDefinition, StatType> typeOf = new HashMap<>();
    forEachStat(
        (path, stat) -> {
          Problems at = problems.at(path);
          if (stat.dataType() == null) {
            at.add(
                "data_type",
                "is required in group '"
                    + stat.group()
                    + "'; one of "
                    + String.join(", ", types.names()));
            return;
          }
          Optional<StatType> type = types.find(stat.dataType());
          if (type.isEmpty()) {
            at.add(
                "data_type",
                "unknown data type '"
                    + stat.dataType()
                    + "'; known types: "
                    + String.join(", ", types.names()));
            return;
          }
          typeOf.put(stat, type.get());
          type.get().validate(this, stat, at);
        });
    for (int g = 0; g < milestoneGroups.size(); g++) {
      MilestoneGroup group = milestoneGroups.get(g);
      StatType type = find(group.group(), group.statKey()).map(typeOf::get).orElse(null);
      if (type == null) {
        continue; // no such stat, or its type is unknown: both reported already
      }
      for (int m = 0; m < group.milestones().size(); m++) {
        String field = group.milestones().get(m).field();
        if (!type.hasField(field)) {
          problems
              .at("milestones[" + g + "].milestones[" + m + "]")
              .add(
                  "field",
                  "a "
                      + type.name()
                      + " stat has no field '"
                      + field
                      + "'; its fields: "
                      + String.join(", ", new TreeSet<>(type.fieldNames())));
        }
      }
    }
  }

  /** Calls {@code action} with each stat and its path, {@code stats.<group>[<index>]}. */
  private void forEachStat(BiConsumer<String, StatDefinition> action) {
    groups.forEach(
        (group, list) -> {
          for (int i = 0; i < list.size(); i++) {
            action.accept("stats." + group + "[" + i + "]", list.get(i));
          }
        });
  }

  @Override
  public String toString() {
    return "source '" + name + "' (" + stats.size() + " stats)";
  }

  /**
   * Builds a {@link SourceDefinition}. Nothing is checked until {@link #build()}, which reports
   * every problem at once. Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    private boolean live = true;
    private Instant startTime;
    private Instant endTime;
    private final List<long[]> timedPeriods = new ArrayList<>();
    private final List<StatDefinition> stats = new ArrayList<>();
    private final List<MilestoneGroup> milestoneGroups = new ArrayList<>();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** Whether to follow changes (default {@code true}). */
    public Builder live(boolean isLive) {
      this.live = isLive;
      return this;
    }

    /** The event's start, used by whole-event timed periods. */
    public Builder startTime(Instant start) {
      this.startTime = start;
      return this;
    }

    /**
     * The event's end: whole-event periods run to an hour after it; time freezes 5 min after it.
     */
    public Builder endTime(Instant end) {
      this.endTime = end;
      return this;
    }

    /**
     * Adds a timed period, checked by {@link #build()}: the {@code n}-th one given is {@code
     * timed_stat_periods[n]} in problems.
     */
    public Builder timedPeriod(long granularitySeconds, long cycles) {
      timedPeriods.add(new long[] {granularitySeconds, cycles});
      return this;
    }

    /** Adds a timed period. */
    public Builder timedPeriod(TimedPeriod period) {
      return timedPeriod(period.granularitySeconds(), period.cycles());
    }

    /**
     * Adds a stat; order is kept. The {@code n}-th stat of a group is {@code stats.<group>[n]} in
     * problems.
     */
    public Builder stat(StatDefinition stat) {
      stats.add(Objects.requireNonNull(stat));
      return this;
    }

    /** Adds a stat of {@code group} named {@code name} with the group's default data type. */
    public Builder stat(String group, String statName) {
      return stat(StatDefinition.of(group, statName));
    }

    /** Adds a milestone collection; the {@code n}-th one is {@code milestones[n]} in problems. */
    public Builder milestones(MilestoneGroup group) {
      milestoneGroups.add(Objects.requireNonNull(group));
      return this;
    }

    /**
     * What is wrong with the definition so far, without building it: what {@link #build()} checks
     * and, when {@code types} is given, what {@link SourceDefinition#problems(StatTypeRegistry)}
     * checks.
     *
     * @param types the stat types it will be read with, or {@code null} to check only the
     *     definition itself
     * @return every problem, each with its path; empty when there is none
     */
    public List<Problem> problems(StatTypeRegistry types) {
      Problems problems = new Problems();
      SourceDefinition unchecked = new SourceDefinition(this);
      checkItself(unchecked, problems);
      if (types != null) {
        unchecked.checkTypes(types, problems);
      }
      return problems.list();
    }

    /**
     * Checks and builds.
     *
     * @throws InvalidDefinitionException listing every problem: a bad name, an end before the
     *     start, a bad or repeated timed period, a stat key used twice in a group, milestones for a
     *     stat that does not exist
     */
    public SourceDefinition build() {
      List<Problem> problems = problems(null);
      if (!problems.isEmpty()) {
        throw new InvalidDefinitionException(name, problems);
      }
      return new SourceDefinition(this);
    }

    private void checkItself(SourceDefinition built, Problems problems) {
      if (name.isBlank()) {
        problems.add("name", "a source needs a name");
      }
      for (char c : new char[] {'/', '?', '#', ' '}) {
        if (name.indexOf(c) >= 0) {
          problems.add(
              "name",
              "source name '" + name + "' must not contain '" + c + "': it is the endpoint path");
        }
      }
      if (startTime != null && endTime != null && endTime.isBefore(startTime)) {
        problems.add("end_time", "is before start_time");
      }
      Set<Long> granularities = new HashSet<>();
      for (int i = 0; i < timedPeriods.size(); i++) {
        long granularity = timedPeriods.get(i)[0];
        String bad = TimedPeriod.granularityProblem(granularity);
        if (bad == null && !granularities.add(granularity)) {
          bad = "granularity " + granularity + " is given twice";
        }
        if (bad != null) {
          problems.at("timed_stat_periods[" + i + "]").add("granularity", bad);
        }
      }
      Set<String> keys = new HashSet<>();
      built.forEachStat(
          (path, s) -> {
            if (!keys.add(s.group() + "\u0000" + s.key())) {
              problems.add(
                  path, "stat key '" + s.key() + "' appears twice in group '" + s.group() + "'");
            }
          });
      for (int g = 0; g < milestoneGroups.size(); g++) {
        MilestoneGroup group = milestoneGroups.get(g);
        if (built.find(group.group(), group.statKey()).isEmpty()) {
          List<StatDefinition> there = built.groups().getOrDefault(group.group(), List.of());
          problems
              .at("milestones[" + g + "]")
              .add(
                  "stat",
                  "no stat '"
                      + group.statKey()
                      + "' in group '"
                      + group.group()
                      + "'"
                      + (there.isEmpty()
                          ? ""
                          : "; stats there: "
                              + there.stream()
                                  .map(StatDefinition::key)
                                  .collect(Collectors.joining(", "))));
        }
      }
    }
  }
}
