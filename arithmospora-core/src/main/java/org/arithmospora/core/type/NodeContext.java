package org.arithmospora.core.type;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.store.NodeAddress;

/**
 * Everything a {@link StatType} may consult when deciding what to read for a node and how to decode
 * it: the source (for event times and timed periods), the top-level stat, the node's address and
 * the moment of the read (one moment for a whole read, so all nodes agree).
 *
 * @param source the stat's source
 * @param stat the top-level stat this node belongs to
 * @param address the node's address
 * @param now the moment of the read
 */
public record NodeContext(
    SourceDefinition source, StatDefinition stat, NodeAddress address, Instant now) {

  public NodeContext {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(stat, "stat");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(now, "now");
  }

  /** The context of the stat's own node. */
  public static NodeContext root(SourceDefinition source, StatDefinition stat, Instant now) {
    return new NodeContext(source, stat, NodeAddress.root(stat.address()), now);
  }

  /** The context of data point {@code name} below this node. */
  public NodeContext child(String name) {
    return new NodeContext(source, stat, address.child(name), now);
  }

  /** The node's own name: the data point's name, or the stat's for the root. */
  public String name() {
    return address.name();
  }

  /** Data point names from the stat down to this node. */
  public List<String> path() {
    return address.path();
  }

  /** 0 for the stat itself, 1 for its data points, and so on. */
  public int depth() {
    return address.depth();
  }
}
