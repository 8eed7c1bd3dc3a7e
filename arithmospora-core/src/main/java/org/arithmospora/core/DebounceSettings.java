package org.arithmospora.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How change notifications are gathered before a stat is re-read (SPEC §4): the re-read happens
 * {@code minQuiet} after the last notification, and never later than {@code maxWait} after the
 * first pending one.
 *
 * @param minQuiet quiet time after the last notification ({@code min_time_ms}, default 200 ms)
 * @param maxWait longest wait from the first pending notification ({@code max_time_ms}, default
 *     1000 ms)
 */
public record DebounceSettings(Duration minQuiet, Duration maxWait) {

  /** The Go program's defaults: 200 ms quiet, 1 s at most. */
  public static final DebounceSettings DEFAULTS =
      new DebounceSettings(Duration.ofMillis(200), Duration.ofMillis(1000));

  public DebounceSettings {
    Objects.requireNonNull(minQuiet, "minQuiet");
    Objects.requireNonNull(maxWait, "maxWait");
    if (minQuiet.isNegative()) {
      throw new IllegalArgumentException(
          "debounce min time must not be negative, got " + minQuiet.toMillis() + " ms");
    }
    if (maxWait.compareTo(minQuiet) < 0) {
      throw new IllegalArgumentException(
          "debounce max time ("
              + maxWait.toMillis()
              + " ms) must not be less than min time ("
              + minQuiet.toMillis()
              + " ms)");
    }
  }

  /** Settings from milliseconds, as written in configuration. */
  public static DebounceSettings ofMillis(long minQuietMs, long maxWaitMs) {
    return new DebounceSettings(Duration.ofMillis(minQuietMs), Duration.ofMillis(maxWaitMs));
  }
}
