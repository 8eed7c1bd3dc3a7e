package org.arithmospora.core;

import java.util.Set;

/** A custom type found through ServiceLoader in {@link StatTypeRegistryTest}. */
public final class DiscoverableType implements StatType {

  @Override
  public String name() {
    return "discoverable";
  }

  @Override
  public NodeQuery query(NodeContext node) {
    return NodeQuery.value();
  }

  @Override
  public StatData decode(NodeContext node, RawData raw) throws StatReadException {
    return new SingleValueData(raw.longValue() * 2);
  }

  @Override
  public Set<String> fieldNames() {
    return Set.of("doubled");
  }
}
