package org.arithmospora.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One node of a stat tree in the store: the top-level stat and the path of data point names that
 * leads to the node (empty for the stat itself).
 *
 * @param stat the top-level stat
 * @param path data point names from the stat down to this node
 */
public record NodeAddress(StatAddress stat, List<String> path) {

  public NodeAddress {
    Objects.requireNonNull(stat, "stat");
    path = List.copyOf(path);
  }

  /** The stat's own node. */
  public static NodeAddress root(StatAddress stat) {
    return new NodeAddress(stat, List.of());
  }

  /** The node of data point {@code name} below this one. */
  public NodeAddress child(String name) {
    List<String> childPath = new ArrayList<>(path.size() + 1);
    childPath.addAll(path);
    childPath.add(name);
    return new NodeAddress(stat, childPath);
  }

  /** How deep this node is: 0 for the stat itself. */
  public int depth() {
    return path.size();
  }

  /** The node's own name: the last data point name, or the stat's name. */
  public String name() {
    return path.isEmpty() ? stat.name() : path.get(path.size() - 1);
  }

  @Override
  public String toString() {
    return path.isEmpty() ? stat.toString() : stat + "/" + String.join("/", path);
  }
}
