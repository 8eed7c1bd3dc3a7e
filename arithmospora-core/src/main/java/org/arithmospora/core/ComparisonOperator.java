package org.arithmospora.core;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How a milestone compares a stat field with its target. */
public enum ComparisonOperator {
  GREATER(">"),
  GREATER_OR_EQUAL(">="),
  /** Written {@code =}, the only equality the Go program understood. */
  EQUAL("="),
  LESS_OR_EQUAL("<="),
  LESS("<"),
  /**
   * Written {@code ==}: the same test as {@link #EQUAL}, kept apart because a milestone's message
   * echoes the comparator as the configuration wrote it.
   */
  DOUBLE_EQUAL("==");

  private final String symbol;

  ComparisonOperator(String symbol) {
    this.symbol = symbol;
  }

  /** The symbol, as written in the configuration and echoed in milestone messages. */
  public String symbol() {
    return symbol;
  }

  /** Whether {@code value} compares to {@code target} as this operator says. */
  public boolean test(double value, double target) {
    return switch (this) {
      case GREATER -> value > target;
      case GREATER_OR_EQUAL -> value >= target;
      case EQUAL, DOUBLE_EQUAL -> value == target;
      case LESS_OR_EQUAL -> value <= target;
      case LESS -> value < target;
    };
  }

  /**
   * The operator written as {@code symbol}.
   *
   * @throws IllegalArgumentException naming the accepted symbols
   */
  public static ComparisonOperator parse(String symbol) {
    for (ComparisonOperator op : values()) {
      if (op.symbol.equals(symbol)) {
        return op;
      }
    }
    throw new IllegalArgumentException(
        "unknown comparator '"
            + symbol
            + "'; expected one of "
            + Arrays.stream(values())
                .filter(o -> o != DOUBLE_EQUAL)
                .map(o -> "'" + o.symbol + "'")
                .collect(Collectors.joining(", "))
            + " or '=='");
  }
}
