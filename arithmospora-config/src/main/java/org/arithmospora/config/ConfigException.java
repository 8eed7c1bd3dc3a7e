package org.arithmospora.config;

import java.util.List;

/** The configuration cannot be used; every problem found is listed, each with file and line. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /**
   * @serial the warnings found beside the problems
   */
  private final List<String> warnings;

  ConfigException(List<String> problems) {
    this(problems, List.of());
  }

  ConfigException(List<String> problems, List<String> warnings) {
    super(String.join(System.lineSeparator(), problems));
    this.problems = List.copyOf(problems);
    this.warnings = List.copyOf(warnings);
  }

  /**
   * The warnings found beside the problems (unknown keys and the like): often the cause of one, so
   * they are worth showing with them.
   */
  public List<String> warnings() {
    return warnings;
  }

  /** One line per problem: {@code file:line: key: what was expected}. */
  public List<String> problems() {
    return problems;
  }
}
