package org.arithmospora.core.type;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link StatType} needs read from the store for one node of a stat tree. A loader maps each
 * kind onto its store: for Redis {@link Kind#VALUE} is {@code GET}, {@link Kind#ALL_FIELDS} is
 * {@code HGETALL} and {@link Kind#FIELDS} is {@code HMGET}. Immutable.
 */
public final class NodeQuery {

  /** The shapes of read a loader must support. */
  public enum Kind {
    /** Nothing is read: the node carries no stored data (a timed stat's own node). */
    NONE,
    /** One scalar value. */
    VALUE,
    /** Every field of a map. */
    ALL_FIELDS,
    /** The named fields of a map; absent fields are simply missing from the result. */
    FIELDS
  }

  private static final NodeQuery NONE = new NodeQuery(Kind.NONE, List.of());
  private static final NodeQuery VALUE = new NodeQuery(Kind.VALUE, List.of());
  private static final NodeQuery ALL_FIELDS = new NodeQuery(Kind.ALL_FIELDS, List.of());

  private final Kind kind;
  private final List<String> fields;

  private NodeQuery(Kind kind, List<String> fields) {
    this.kind = kind;
    this.fields = fields;
  }

  /** Read nothing. */
  public static NodeQuery none() {
    return NONE;
  }

  /** Read one scalar value. */
  public static NodeQuery value() {
    return VALUE;
  }

  /** Read every field of a map. */
  public static NodeQuery allFields() {
    return ALL_FIELDS;
  }

  /** Read the given fields of a map. */
  public static NodeQuery fields(List<String> fields) {
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("a FIELDS query needs at least one field");
    }
    return new NodeQuery(Kind.FIELDS, List.copyOf(fields));
  }

  /** Read the given fields of a map. */
  public static NodeQuery fields(String... fields) {
    return fields(List.of(fields));
  }

  public Kind kind() {
    return kind;
  }

  /** The fields of a {@link Kind#FIELDS} query; empty for the other kinds. */
  public List<String> fieldNames() {
    return fields;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeQuery q && q.kind == kind && q.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, fields);
  }

  @Override
  public String toString() {
    return kind == Kind.FIELDS ? "FIELDS" + fields : kind.name();
  }
}
