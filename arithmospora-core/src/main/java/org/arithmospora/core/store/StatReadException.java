package org.arithmospora.core.store;

/**
 * Reading one stat failed because of what the store holds for it: a value that is not an integer, a
 * key of the wrong type. It names the place ({@link #location()}, usually a store key, and the
 * {@link #field()} where there is one). The stat keeps its last good value; other stats are not
 * affected.
 */
public class StatReadException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String location;
  private final String field;

  /**
   * @param location where the bad data lives, e.g. {@code election:2017:stats:total:data}
   * @param field the field within it, or {@code null} when the whole location is at fault
   * @param problem what is wrong, e.g. {@code value 'x' is not an integer}
   */
  public StatReadException(String location, String field, String problem) {
    this(location, field, problem, null);
  }

  /** As {@link #StatReadException(String, String, String)}, with the underlying cause. */
  public StatReadException(String location, String field, String problem, Throwable cause) {
    super(describe(location, field, problem), cause);
    this.location = location;
    this.field = field;
  }

  private static String describe(String location, String field, String problem) {
    return field == null
        ? location + ": " + problem
        : location + " field '" + field + "': " + problem;
  }

  /** Where the bad data lives (a store key for Redis). */
  public String location() {
    return location;
  }

  /** The field within {@link #location()}, or {@code null}. */
  public String field() {
    return field;
  }
}
