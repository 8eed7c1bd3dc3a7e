package org.arithmospora.config;

import java.util.List;

/** The configuration cannot be used; every problem found is listed, each with file and line. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  ConfigException(List<String> problems) {
    super(String.join(System.lineSeparator(), problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per problem: {@code file:line: key: what was expected}. */
  public List<String> problems() {
    return problems;
  }
}
