package org.arithmospora.core.type;

import java.util.Set;
import org.arithmospora.core.store.StatReadException;

/**
 * {@code generic}: free-form integer fields, read with {@code HGETALL <base>:data}, encoded as the
 * hash itself. A milestone may name any field; a missing one reads as 0.
 */
public final class GenericType implements StatType {
  /** The shared instance. */
  public static final GenericType INSTANCE = new GenericType();

  private GenericType() {}

  @Override
  public String name() {
    return "generic";
  }

  @Override
  public NodeQuery query(NodeContext node) {
    return NodeQuery.allFields();
  }

  @Override
  public StatData decode(NodeContext node, RawData raw) throws StatReadException {
    return new GenericData(raw.longFields());
  }

  @Override
  public boolean hasField(String field) {
    return true;
  }

  @Override
  public Set<String> fieldNames() {
    return Set.of();
  }
}
