package org.arithmospora.core.store;

import java.util.Objects;

/**
 * Where a top-level stat lives in its source's store: its name and, for stats with a period, the
 * period. For Redis this is the base key {@code <prefix>:stats:<name>} or {@code
 * <prefix>:rolling:<period>:stats:<name>}. Two stats in different groups with the same name and
 * period share an address.
 *
 * @param name the stat's name
 * @param period the period label such as {@code 5m}, or {@code null}
 */
public record StatAddress(String name, String period) {

  public StatAddress {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("a stat name must not be empty");
    }
    if (period != null && period.isEmpty()) {
      period = null;
    }
  }

  /** A stat without a period. */
  public static StatAddress of(String name) {
    return new StatAddress(name, null);
  }

  /** A stat with a period, or without one when {@code period} is null or empty. */
  public static StatAddress of(String name, String period) {
    return new StatAddress(name, period);
  }

  /** Whether this stat has a period. */
  public boolean hasPeriod() {
    return period != null;
  }

  @Override
  public String toString() {
    return period == null ? name : period + ":" + name;
  }
}
