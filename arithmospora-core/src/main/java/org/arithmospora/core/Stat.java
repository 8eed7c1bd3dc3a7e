package org.arithmospora.core;

import java.util.Optional;
import org.arithmospora.core.type.StatType;
import org.arithmospora.core.wire.EncodedMessage;

/**
 * A live stat of a {@link Source}: its definition and its latest tree of data points, with that
 * tree's message already encoded. Implementations are thread-safe; the tree and message change
 * together when the stat is re-read.
 */
public interface Stat {

  /** The stat as configured. */
  StatDefinition definition();

  /** The stat's data type. */
  StatType type();

  /** The stat's latest tree, or empty until it has been read once. */
  Optional<DataPoint> current();

  /** The {@code stats:<group>:<key>} message of {@link #current()}, encoded once. */
  Optional<EncodedMessage> message();

  /**
   * Why the stat's latest read failed (bad data, naming the key and field), or empty when it
   * succeeded. The stat keeps its last good tree meanwhile.
   */
  default Optional<String> problem() {
    return Optional.empty();
  }

  /** The stat's group. */
  default String group() {
    return definition().group();
  }

  /** The stat's key within its group, e.g. {@code 5m:total}. */
  default String key() {
    return definition().key();
  }
}
