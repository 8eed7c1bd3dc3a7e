package org.arithmospora.core.type;

import java.util.Set;
import org.arithmospora.core.store.StatReadException;

/**
 * {@code single_value}: one integer, read with {@code GET <base>:data}; JSON {@code {"<name>":
 * value}}. A milestone may name any field: it reads the value.
 */
public final class SingleValueType implements StatType {
  /** The shared instance. */
  public static final SingleValueType INSTANCE = new SingleValueType();

  private SingleValueType() {}

  @Override
  public String name() {
    return "single_value";
  }

  @Override
  public NodeQuery query(NodeContext node) {
    return NodeQuery.value();
  }

  @Override
  public StatData decode(NodeContext node, RawData raw) throws StatReadException {
    return new SingleValueData(raw.longValue());
  }

  @Override
  public boolean hasField(String field) {
    return true;
  }

  @Override
  public Set<String> fieldNames() {
    return Set.of("value");
  }
}
