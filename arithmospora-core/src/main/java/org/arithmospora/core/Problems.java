package org.arithmospora.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the {@link Problem}s of a definition, each under its path, so that one check reports
 * every mistake rather than the first. A view made with {@link #at(String)} adds below its path
 * into the same collection; {@link #source()} adds at the top. The same problem added twice is kept
 * once (two timed stats lacking the same start time make one problem, not two).
 *
 * <p>Not thread-safe: a check runs on one thread.
 */
public final class Problems {
  private final List<Problem> all;
  private final String prefix;

  /** An empty collection at the source's level. */
  public Problems() {
    this(new ArrayList<>(), "");
  }

  private Problems(List<Problem> all, String prefix) {
    this.all = all;
    this.prefix = prefix;
  }

  /** A view that adds below {@code child}, e.g. {@code stats.rolling[0]}. */
  public Problems at(String child) {
    return new Problems(all, join(prefix, child));
  }

  /** A view that adds at the source's level, whatever this view's path. */
  public Problems source() {
    return prefix.isEmpty() ? this : new Problems(all, "");
  }

  /**
   * Adds a problem with {@code field}, or with this view's node itself when {@code field} is null
   * or empty.
   */
  public void add(String field, String message) {
    Problem p = new Problem(join(prefix, field), message);
    if (!all.contains(p)) {
      all.add(p);
    }
  }

  /** Whether nothing was added, through any view. */
  public boolean isEmpty() {
    return all.isEmpty();
  }

  /** Every problem added through any view, in the order they were added. */
  public List<Problem> list() {
    return List.copyOf(all);
  }

  private static String join(String parent, String child) {
    if (child == null || child.isEmpty()) {
      return parent;
    }
    return parent.isEmpty() ? child : parent + "." + child;
  }
}
