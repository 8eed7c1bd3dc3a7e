package org.arithmospora.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Waits that double after each failure, from a first to a longest one, and start again from the
 * first after a success: how the source re-reads a store that is down and how the Redis subscriber
 * reconnects. Not thread-safe: one owner calls it.
 */
public final class Backoff {
  private final Duration first;
  private final Duration longest;
  private Duration next;

  /**
   * @param first the wait after the first failure
   * @param longest the longest wait, however many failures follow
   * @throws IllegalArgumentException when {@code first} is not positive or {@code longest} is
   *     shorter
   */
  public Backoff(Duration first, Duration longest) {
    this.first = Objects.requireNonNull(first, "first");
    this.longest = Objects.requireNonNull(longest, "longest");
    if (first.isNegative() || first.isZero() || longest.compareTo(first) < 0) {
      throw new IllegalArgumentException(
          "backoff from " + first + " to " + longest + ": expected 0 < first <= longest");
    }
    this.next = first;
  }

  /** The wait before the next attempt; the one after it is twice as long, up to the longest. */
  public Duration next() {
    Duration wait = next;
    next = next.compareTo(longest.dividedBy(2)) > 0 ? longest : next.multipliedBy(2);
    return wait;
  }

  /** An attempt succeeded: the next failure waits the first wait again. */
  public void reset() {
    next = first;
  }
}
