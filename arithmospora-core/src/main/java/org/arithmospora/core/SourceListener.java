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
}
