package org.arithmospora.core;

import org.arithmospora.core.wire.EncodedMessage;

/**
 * Hears what a {@link Source} publishes. Both methods default to doing nothing. They are called one
 * at a time, on the source's scheduler: return quickly and hand heavy work elsewhere. An exception
 * thrown here is logged and does not reach other listeners.
 */
public interface SourceListener {

  /**
   * A stat has a new tree (including its first one); {@code message} is its encoded {@code
   * stats:<group>:<key>} message.
   */
  default void statChanged(Stat stat, EncodedMessage message) {}

  /**
   * A milestone was met while running; {@code message} is its encoded {@code milestone} message.
   */
  default void milestoneAchieved(Achievement achievement, EncodedMessage message) {}

  /**
   * Every change of one round of reading (stats re-read together: one debounce round, one pipeline)
   * has been reported, with the milestones they met: a consumer may hand them on together, so that
   * nothing in between is torn. Called only after a round that changed something, and only by a
   * source whose {@link Source#reportsRounds()} is true.
   */
  default void roundComplete() {}
}
