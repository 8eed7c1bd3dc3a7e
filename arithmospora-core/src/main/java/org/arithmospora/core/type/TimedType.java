package org.arithmospora.core.type;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.arithmospora.core.Problems;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.TimedPeriod;
import org.arithmospora.core.store.StatReadException;

/**
 * {@code timed}: a time series in buckets (SPEC §3). The stat's own node carries empty data; it has
 * one data point per {@link TimedPeriod} of its source, named by the granularity, which reads the
 * hash {@code <base>:datapoints:<granularity>:data} (field = bucket number, value = count).
 *
 * <p>A whole-event period ({@code cycles < 0}) holds the buckets from the start time to an hour
 * after the end time. A moving window holds the {@code cycles + 1} buckets ending at the current
 * one and moves when the clock enters a new bucket. "Now" never runs past five minutes after the
 * end time: after that the series is frozen.
 */
public final class TimedType implements StatType {
  /** The shared instance. */
  public static final TimedType INSTANCE = new TimedType();

  /** Whole-event periods run this long past the end time (voters still in the booth). */
  public static final Duration WHOLE_EVENT_OVERRUN = Duration.ofHours(1);

  /** The clock stops this long after the end time. */
  public static final Duration FREEZE_AFTER_END = Duration.ofMinutes(5);

  private TimedType() {}

  @Override
  public String name() {
    return "timed";
  }

  /** Whole-event periods run from the start time to past the end time, so they need both. */
  @Override
  public void validate(SourceDefinition source, StatDefinition stat, Problems problems) {
    boolean wholeEvent = source.timedPeriods().stream().anyMatch(TimedPeriod::isWholeEvent);
    if (wholeEvent && (source.startTime().isEmpty() || source.endTime().isEmpty())) {
      problems
          .source()
          .add(null, "whole-event timed periods (cycles < 0) need both start_time and end_time");
    }
  }

  @Override
  public NodeQuery query(NodeContext node) {
    Optional<TimedPeriod> period = periodOf(node);
    if (period.isEmpty()) {
      return NodeQuery.none();
    }
    if (period.get().isWholeEvent()) {
      return NodeQuery.allFields();
    }
    List<String> fields = new ArrayList<>();
    long[] window = window(node.source(), period.get(), node.now());
    for (long b = window[0]; b <= window[1]; b++) {
      fields.add(Long.toString(b));
    }
    return NodeQuery.fields(fields);
  }

  @Override
  public StatData decode(NodeContext node, RawData raw) throws StatReadException {
    Optional<TimedPeriod> period = periodOf(node);
    if (period.isEmpty()) {
      return EmptyData.INSTANCE;
    }
    long[] window = window(node.source(), period.get(), node.now());
    TreeMap<Long, Long> buckets = new TreeMap<>();
    for (long b = window[0]; b <= window[1]; b++) {
      buckets.put(b, raw.longField(Long.toString(b)));
    }
    return new TimedSeriesData(period.get().granularitySeconds(), buckets);
  }

  @Override
  public Optional<List<String>> fixedDataPoints(NodeContext node) {
    if (node.depth() > 0) {
      return Optional.of(List.of());
    }
    return Optional.of(
        node.source().timedPeriods().stream().map(TimedPeriod::dataPointName).toList());
  }

  @Override
  public Set<String> fieldNames() {
    return Set.of("sum", "latest");
  }

  @Override
  public Optional<Instant> nextTimeChange(
      SourceDefinition source, StatDefinition stat, Instant now) {
    Instant frozenAt = source.endTime().map(e -> e.plus(FREEZE_AFTER_END)).orElse(null);
    if (frozenAt != null && !now.isBefore(frozenAt)) {
      return Optional.empty();
    }
    long seconds = now.getEpochSecond();
    Optional<Instant> next =
        source.timedPeriods().stream()
            .filter(p -> !p.isWholeEvent())
            .map(p -> Instant.ofEpochSecond((p.bucketOf(seconds) + 1) * p.granularitySeconds()))
            .min(Instant::compareTo);
    // Past the freeze the window no longer moves.
    return next.filter(n -> frozenAt == null || !n.isAfter(frozenAt));
  }

  /** The moment the series is read at: now, but never past five minutes after the end. */
  public static Instant effectiveNow(SourceDefinition source, Instant now) {
    return source.endTime().map(e -> e.plus(FREEZE_AFTER_END)).filter(now::isAfter).orElse(now);
  }

  /** The first and last bucket numbers of a period's window at the given moment. */
  public static long[] window(SourceDefinition source, TimedPeriod period, Instant now) {
    if (period.isWholeEvent()) {
      Instant start =
          source
              .startTime()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "source '" + source.name() + "' has no start_time"));
      Instant end =
          source
              .endTime()
              .orElseThrow(
                  () ->
                      new IllegalStateException("source '" + source.name() + "' has no end_time"));
      return new long[] {
        period.bucketOf(start.getEpochSecond()),
        period.bucketOf(end.plus(WHOLE_EVENT_OVERRUN).getEpochSecond())
      };
    }
    long current = period.bucketOf(effectiveNow(source, now).getEpochSecond());
    return new long[] {current - period.cycles(), current};
  }

  private static Optional<TimedPeriod> periodOf(NodeContext node) {
    if (node.depth() != 1) {
      return Optional.empty();
    }
    String name = node.name();
    return node.source().timedPeriods().stream()
        .filter(p -> p.dataPointName().equals(name))
        .findFirst();
  }
}
