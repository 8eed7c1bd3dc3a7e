package org.arithmospora.core;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A source definition that cannot be used, with every {@link Problem} found in it, each with its
 * path. It is an {@link IllegalArgumentException}: the definition is the argument that was wrong.
 */
public final class InvalidDefinitionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * @serial the problems, each with its path
   */
  private final List<Problem> problems;

  /**
   * @param sourceName the source's name, for the message
   * @param problems at least one problem
   */
  public InvalidDefinitionException(String sourceName, List<Problem> problems) {
    super(
        "source '"
            + sourceName
            + "': "
            + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in the order they were found. */
  public List<Problem> problems() {
    return problems;
  }
}
