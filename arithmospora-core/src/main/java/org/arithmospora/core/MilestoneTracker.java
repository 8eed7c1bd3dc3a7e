package org.arithmospora.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The milestones of one source: which stat each one watches, and whether and when it was met. Each
 * is met once. One already met when the source first loads is noted, not announced: a restarted
 * server must not announce again what the audience saw hours ago. {@link #check} runs on the
 * source's scheduler; the rest may be read from any thread.
 */
final class MilestoneTracker {
  private static final Logger log = LoggerFactory.getLogger(LiveSource.class);

  private final String sourceName;
  private final List<Watch> watches;
  private final AtomicLong achieved = new AtomicLong();

  /** Expects a definition whose milestones' stats and fields exist, as LiveSource checks. */
  MilestoneTracker(SourceDefinition definition, List<LiveStat> stats) {
    this.sourceName = definition.name();
    List<Watch> all = new ArrayList<>();
    for (MilestoneGroup group : definition.milestoneGroups()) {
      LiveStat stat =
          stats.stream()
              .filter(
                  s -> s.def.group().equals(group.group()) && s.def.key().equals(group.statKey()))
              .findFirst()
              .orElseThrow();
      for (MilestoneDefinition m : group.milestones()) {
        all.add(new Watch(group, m, stat));
      }
    }
    this.watches = List.copyOf(all);
  }

  /**
   * The milestones of {@code stat} that {@code tree} meets for the first time, to announce; on the
   * first load none, though they count as met from then on.
   */
  List<Achievement> check(LiveStat stat, DataPoint tree, boolean firstLoad, Instant now) {
    List<Achievement> met = new ArrayList<>();
    for (Watch w : watches) {
      if (w.stat != stat || w.achievedWhen != null || !w.isMet(tree)) {
        continue;
      }
      w.achievedWhen = now;
      if (firstLoad) {
        log.debug(
            "Source '{}': milestone '{}' was already met at start", sourceName, w.milestone.name());
        continue;
      }
      achieved.incrementAndGet();
      log.info(
          "Source '{}': milestone '{}' met: {}",
          sourceName,
          w.milestone.name(),
          w.milestone.message());
      met.add(new Achievement(w.group, w.milestone, now));
    }
    return met;
  }

  /** Whether the milestone of this name has been met, and when. */
  Optional<Instant> achievedWhen(String milestoneName) {
    return watches.stream()
        .filter(w -> w.milestone.name().equals(milestoneName))
        .map(w -> Optional.ofNullable(w.achievedWhen))
        .findFirst()
        .orElse(Optional.empty());
  }

  /**
   * Every milestone met so far, oldest first; one already met at the first load with the time of
   * that load.
   */
  List<Achievement> met() {
    List<Achievement> met = new ArrayList<>();
    for (Watch w : watches) {
      Instant when = w.achievedWhen;
      if (when != null) {
        met.add(new Achievement(w.group, w.milestone, when));
      }
    }
    met.sort(Comparator.comparing(Achievement::achievedWhen));
    return met;
  }

  /** How many milestones were announced. */
  long achieved() {
    return achieved.get();
  }

  /** One milestone and the stat it watches. */
  private static final class Watch {
    final MilestoneGroup group;
    final MilestoneDefinition milestone;
    final ComparisonOperator operator;
    final LiveStat stat;
    volatile Instant achievedWhen;

    Watch(MilestoneGroup group, MilestoneDefinition milestone, LiveStat stat) {
      this.group = group;
      this.milestone = milestone;
      this.operator = milestone.operator();
      this.stat = stat;
    }

    boolean isMet(DataPoint tree) {
      return tree.find(milestone.dataPointNames())
          .map(node -> node.data().field(milestone.field()))
          .filter(v -> v.isPresent() && operator.test(v.getAsDouble(), milestone.target()))
          .isPresent();
    }
  }
}
