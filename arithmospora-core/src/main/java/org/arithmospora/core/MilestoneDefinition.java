package org.arithmospora.core;

import java.util.List;
import java.util.Objects;

/**
 * One milestone: met when {@code field} of the data point at {@code dataPointNames} (below the
 * group's stat) compares to {@code target} as {@code operator} says. Immutable.
 *
 * @param name the milestone's name
 * @param dataPointNames the path of data point names below the stat; empty for the stat itself
 * @param field the data field to read, e.g. {@code percentage}
 * @param target the number to compare with
 * @param operator how to compare
 * @param message the message clients are sent when it is met
 */
public record MilestoneDefinition(
    String name,
    List<String> dataPointNames,
    String field,
    double target,
    ComparisonOperator operator,
    String message) {

  public MilestoneDefinition {
    Objects.requireNonNull(name, "name");
    dataPointNames = dataPointNames == null ? List.of() : List.copyOf(dataPointNames);
    Objects.requireNonNull(field, "field");
    if (field.isEmpty()) {
      throw new IllegalArgumentException("milestone '" + name + "' needs a field");
    }
    Objects.requireNonNull(operator, "operator");
    message = message == null ? "" : message;
  }

  /**
   * A milestone whose comparator is written as in the configuration.
   *
   * @param comparator {@code >}, {@code >=}, {@code =}, {@code ==}, {@code <=} or {@code <}
   * @throws IllegalArgumentException when the comparator is none of these
   */
  public MilestoneDefinition(
      String name,
      List<String> dataPointNames,
      String field,
      double target,
      String comparator,
      String message) {
    this(name, dataPointNames, field, target, ComparisonOperator.parse(comparator), message);
  }

  /** The comparator as written, e.g. {@code ==}: what milestone messages echo. */
  public String comparator() {
    return operator.symbol();
  }
}
