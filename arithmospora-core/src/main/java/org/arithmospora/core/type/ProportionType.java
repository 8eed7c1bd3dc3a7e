package org.arithmospora.core.type;

import java.util.Set;
import org.arithmospora.core.store.StatReadException;

/** {@code proportion}: {@code HMGET <base>:data current total}; see {@link ProportionData}. */
public final class ProportionType implements StatType {
  /** The shared instance. */
  public static final ProportionType INSTANCE = new ProportionType();

  private static final NodeQuery QUERY = NodeQuery.fields("current", "total");

  private ProportionType() {}

  @Override
  public String name() {
    return "proportion";
  }

  @Override
  public NodeQuery query(NodeContext node) {
    return QUERY;
  }

  @Override
  public StatData decode(NodeContext node, RawData raw) throws StatReadException {
    return new ProportionData(raw.longField("current"), raw.longField("total"));
  }

  @Override
  public Set<String> fieldNames() {
    return Set.of("current", "total", "proportion", "percentage");
  }
}
