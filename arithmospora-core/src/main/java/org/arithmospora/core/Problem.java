package org.arithmospora.core;

import java.util.Objects;

/**
 * One thing wrong with a definition, and where: a path from the source down to the offending value,
 * in the names and indexes of the configuration file (SPEC §1), such as {@code end_time}, {@code
 * stats.rolling[0].period} or {@code milestones[1].milestones[0].field}. An empty path is the
 * source itself. Indexes count the items of that kind in the order they were given.
 *
 * <p>The configuration reader maps each path back to a file and line; an embedder can show it as it
 * is.
 *
 * @param path where, relative to the source; empty for the source itself
 * @param message what is wrong, phrased to follow the path (e.g. {@code is before start_time})
 */
public record Problem(String path, String message) {

  public Problem {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
