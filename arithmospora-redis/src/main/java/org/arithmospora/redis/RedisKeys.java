package org.arithmospora.redis;

import org.arithmospora.core.store.NodeAddress;
import org.arithmospora.core.store.StatAddress;

/**
 * The Redis key layout of SPEC §2, for one source's prefix. Site writers can use it too.
 *
 * <ul>
 *   <li>base of a stat: {@code <prefix>:stats:<name>}, or {@code
 *       <prefix>:rolling:<period>:stats:<name>}
 *   <li>base of a data point: {@code <parent base>:datapoints:<dp>}
 *   <li>data: {@code <base>:data}; data point names: {@code <base>:datapoints} (a set)
 *   <li>notifications: {@code <stat base>:updates} (a pub/sub channel)
 * </ul>
 *
 * @param prefix the source's {@code redis_prefix}
 */
public record RedisKeys(String prefix) {

  /** The base key of a top-level stat. */
  public String base(StatAddress stat) {
    return stat.hasPeriod()
        ? prefix + ":rolling:" + stat.period() + ":stats:" + stat.name()
        : prefix + ":stats:" + stat.name();
  }

  /** The base key of a node: the stat's base followed by {@code :datapoints:<dp>} per level. */
  public String base(NodeAddress node) {
    StringBuilder key = new StringBuilder(base(node.stat()));
    for (String dp : node.path()) {
      key.append(":datapoints:").append(dp);
    }
    return key.toString();
  }

  /** Where a node's own data lives. */
  public String data(NodeAddress node) {
    return base(node) + ":data";
  }

  /** The set of a node's data point names. */
  public String dataPoints(NodeAddress node) {
    return base(node) + ":datapoints";
  }

  /** The channel announcing changes of a top-level stat. */
  public String updates(StatAddress stat) {
    return base(stat) + ":updates";
  }
}
