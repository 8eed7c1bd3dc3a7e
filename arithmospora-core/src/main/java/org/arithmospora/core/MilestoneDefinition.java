package org.arithmospora.core;

import java.util.List;
import java.util.Objects;

/**
 * One milestone: met when {@code field} of the data point at {@code dataPointNames} (below the
 * group's stat) compares to {@code target} as {@code comparator} says. Immutable.
 *
 * @param name the milestone's name
 * @param dataPointNames the path of data point names below the stat; empty for the stat itself
 * @param field the data field to read, e.g. {@code percentage}
 * @param target the number to compare with
 * @param comparator as written in the configuration: {@code >}, {@code >=}, {@code =}, {@code ==},
 *     {@code <=} or {@code <}
 * @param message the message clients are sent when it is met
 */
public record MilestoneDefinition(
    String name,
    List<String> dataPointNames,
    String field,
    double target,
    String comparator,
    String message) {

  public MilestoneDefinition {
    Objects.requireNonNull(name, "name");
    dataPointNames = dataPointNames == null ? List.of() : List.copyOf(dataPointNames);
    Objects.requireNonNull(field, "field");
    if (field.isEmpty()) {
      throw new IllegalArgumentException("milestone '" + name + "' needs a field");
    }
    ComparisonOperator.parse(comparator);
    message = message == null ? "" : message;
  }

  /** The parsed comparator. */
  public ComparisonOperator operator() {
    return ComparisonOperator.parse(comparator);
  }
}
