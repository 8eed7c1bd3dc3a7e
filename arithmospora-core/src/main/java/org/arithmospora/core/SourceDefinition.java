package org.arithmospora.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A source as configured: its name (and endpoint path), whether it is live, the event's time
 * bounds, its timed periods, its stats in configuration order and its milestones. Immutable and
 * validated when built; build one with {@link #builder(String)}.
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
    this.timedPeriods = List.copyOf(b.timedPeriods);
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

  @Override
  public String toString() {
    return "source '" + name + "' (" + stats.size() + " stats)";
  }

  /** Builds a {@link SourceDefinition}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private boolean live = true;
    private Instant startTime;
    private Instant endTime;
    private final List<TimedPeriod> timedPeriods = new ArrayList<>();
    private final List<StatDefinition> stats = new ArrayList<>();
    private final List<MilestoneGroup> milestoneGroups = new ArrayList<>();

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("a source needs a name");
      }
      for (char c : new char[] {'/', '?', '#', ' '}) {
        if (name.indexOf(c) >= 0) {
          throw new IllegalArgumentException(
              "source name '" + name + "' must not contain '" + c + "': it is the endpoint path");
        }
      }
      this.name = name;
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

    /** Adds a timed period. */
    public Builder timedPeriod(long granularitySeconds, long cycles) {
      return timedPeriod(new TimedPeriod(granularitySeconds, cycles));
    }

    /** Adds a timed period. */
    public Builder timedPeriod(TimedPeriod period) {
      timedPeriods.add(Objects.requireNonNull(period));
      return this;
    }

    /**
     * Adds a stat; order is kept.
     *
     * @throws IllegalArgumentException when the stat lacks a data type or a rolling period
     */
    public Builder stat(StatDefinition stat) {
      stats.add(Objects.requireNonNull(stat).validate());
      return this;
    }

    /** Adds a stat of {@code group} named {@code name} with the group's default data type. */
    public Builder stat(String group, String statName) {
      return stat(StatDefinition.of(group, statName));
    }

    /** Adds a milestone collection. */
    public Builder milestones(MilestoneGroup group) {
      milestoneGroups.add(Objects.requireNonNull(group));
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the first problem found: a stat key used twice in a
     *     group, a milestone for a stat that does not exist, a timed period given twice, or
     *     whole-event timed periods without both start and end time
     */
    public SourceDefinition build() {
      Set<String> seen = new HashSet<>();
      for (StatDefinition s : stats) {
        if (!seen.add(s.group() + "\u0000" + s.key())) {
          throw new IllegalArgumentException(
              "source '"
                  + name
                  + "': stat key '"
                  + s.key()
                  + "' appears twice in group '"
                  + s.group()
                  + "'");
        }
      }
      Set<Long> granularities = new HashSet<>();
      for (TimedPeriod p : timedPeriods) {
        if (!granularities.add(p.granularitySeconds())) {
          throw new IllegalArgumentException(
              "source '"
                  + name
                  + "': timed period with granularity "
                  + p.granularitySeconds()
                  + " is given twice");
        }
      }
      if (startTime != null && endTime != null && endTime.isBefore(startTime)) {
        throw new IllegalArgumentException(
            "source '" + name + "': end time " + endTime + " is before start time " + startTime);
      }
      boolean hasTimedData = stats.stream().anyMatch(s -> TIMED_TYPE.equals(s.dataType()));
      boolean wholeEvent = timedPeriods.stream().anyMatch(TimedPeriod::isWholeEvent);
      if (hasTimedData && wholeEvent && (startTime == null || endTime == null)) {
        throw new IllegalArgumentException(
            "source '"
                + name
                + "': whole-event timed periods (cycles < 0) need both start_time and end_time");
      }
      SourceDefinition built = new SourceDefinition(this);
      for (MilestoneGroup g : milestoneGroups) {
        if (built.find(g.group(), g.statKey()).isEmpty()) {
          throw new IllegalArgumentException(
              "source '"
                  + name
                  + "': milestones '"
                  + g.name()
                  + "' refer to stat '"
                  + g.statKey()
                  + "' in group '"
                  + g.group()
                  + "', which does not exist");
        }
      }
      return built;
    }

    private static final String TIMED_TYPE = "timed";
  }
}
