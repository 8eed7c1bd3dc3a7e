package org.arithmospora.core;

import java.util.Set;
import org.arithmospora.core.store.StatReadException;
import org.arithmospora.core.type.NodeContext;
import org.arithmospora.core.type.NodeQuery;
import org.arithmospora.core.type.RawData;
import org.arithmospora.core.type.SingleValueData;
import org.arithmospora.core.type.StatData;
import org.arithmospora.core.type.StatType;

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
