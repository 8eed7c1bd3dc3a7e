package org.arithmospora.core;

import java.time.Duration;

/**
 * One period of a source's timed stats: buckets of {@code granularity} seconds, and either the
 * whole event ({@code cycles < 0}) or a moving window of the {@code cycles + 1} newest buckets.
 * Each period becomes a data point of every timed stat, named by its granularity.
 *
 * @param granularitySeconds the bucket size in seconds, at least 1
 * @param cycles negative for the whole event; otherwise the number of buckets before the current
 */
public record TimedPeriod(long granularitySeconds, long cycles) {

  public TimedPeriod {
    String bad = granularityProblem(granularitySeconds);
    if (bad != null) {
      throw new IllegalArgumentException("a timed period's granularity " + bad);
    }
  }

  /** What is wrong with {@code granularitySeconds}, phrased to follow its name, or null. */
  static String granularityProblem(long granularitySeconds) {
    return granularitySeconds < 1 ? "must be at least 1 second, got " + granularitySeconds : null;
  }

  /** Whether this period covers the whole event rather than a moving window. */
  public boolean isWholeEvent() {
    return cycles < 0;
  }

  /** The data point name of this period: its granularity in seconds. */
  public String dataPointName() {
    return Long.toString(granularitySeconds);
  }

  /** The bucket size. */
  public Duration granularity() {
    return Duration.ofSeconds(granularitySeconds);
  }

  /** The bucket that holds the given moment: {@code floor(epochSeconds / granularity)}. */
  public long bucketOf(long epochSeconds) {
    return Math.floorDiv(epochSeconds, granularitySeconds);
  }
}
