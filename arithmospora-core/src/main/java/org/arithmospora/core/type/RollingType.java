package org.arithmospora.core.type;

import java.util.Set;
import org.arithmospora.core.Problems;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.store.StatReadException;

/** {@code rolling}: {@code HMGET <base>:data current total peak}; see {@link RollingData}. */
public final class RollingType implements StatType {
  /** The shared instance. */
  public static final RollingType INSTANCE = new RollingType();

  private static final NodeQuery QUERY = NodeQuery.fields("current", "total", "peak");

  private RollingType() {}

  @Override
  public String name() {
    return "rolling";
  }

  @Override
  public NodeQuery query(NodeContext node) {
    return QUERY;
  }

  @Override
  public StatData decode(NodeContext node, RawData raw) throws StatReadException {
    return new RollingData(raw.longField("current"), raw.longField("total"), raw.longField("peak"));
  }

  /** A rolling stat needs a period: it names the time frame, and the Go key layout uses it. */
  @Override
  public void validate(SourceDefinition source, StatDefinition stat, Problems problems) {
    if (stat.period() == null) {
      problems.add("period", "is required for rolling stats (e.g. \"5m\")");
    }
  }

  @Override
  public Set<String> fieldNames() {
    return Set.of(
        "current", "total", "peak", "proportion", "percentage", "peakProportion", "peakPercentage");
  }
}
