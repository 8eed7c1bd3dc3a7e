package org.arithmospora.core;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.arithmospora.core.type.StatData;

/**
 * One node of a stat tree: a name, typed data, and data points below it, which have the same shape.
 * A stat's own node is a data point too. Instances made by {@link #of} are immutable values: two
 * trees with the same names and data are equal.
 */
public interface DataPoint {

  /** The node's name: the stat's name at the top, the data point's name below. */
  String name();

  /** The node's own data. */
  StatData data();

  /** The data points below, keyed and sorted by name. */
  Map<String, DataPoint> dataPoints();

  /** The data point at {@code path} below this one (this one for an empty path). */
  default Optional<DataPoint> find(List<String> path) {
    DataPoint node = this;
    for (String name : path) {
      node = node.dataPoints().get(name);
      if (node == null) {
        return Optional.empty();
      }
    }
    return Optional.of(node);
  }

  /** An immutable data point. */
  static DataPoint of(String name, StatData data, Map<String, DataPoint> dataPoints) {
    return new Node(name, data, Collections.unmodifiableMap(new TreeMap<>(dataPoints)));
  }

  /** An immutable data point without data points below it. */
  static DataPoint of(String name, StatData data) {
    return new Node(name, data, Map.of());
  }

  /** The value implementation of {@link DataPoint#of}. */
  record Node(String name, StatData data, Map<String, DataPoint> dataPoints) implements DataPoint {}
}
