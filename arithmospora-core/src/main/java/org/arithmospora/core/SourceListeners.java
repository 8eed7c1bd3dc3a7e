package org.arithmospora.core;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.arithmospora.core.wire.EncodedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one source, told about each new message in the order they were added. One that
 * throws is logged, naming the source and the message, and the others are still told.
 */
final class SourceListeners {
  private static final Logger log = LoggerFactory.getLogger(LiveSource.class);

  private final String sourceName;
  private final List<SourceListener> listeners = new CopyOnWriteArrayList<>();

  SourceListeners(String sourceName) {
    this.sourceName = sourceName;
  }

  void add(SourceListener listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  void remove(SourceListener listener) {
    listeners.remove(listener);
  }

  void statChanged(Stat stat, EncodedMessage message) {
    for (SourceListener l : listeners) {
      try {
        l.statChanged(stat, message);
      } catch (RuntimeException e) {
        log.error("Source '{}': a listener failed on {}", sourceName, message.event(), e);
      }
    }
  }

  void roundComplete() {
    for (SourceListener l : listeners) {
      try {
        l.roundComplete();
      } catch (RuntimeException e) {
        log.error("Source '{}': a listener failed at the end of a round", sourceName, e);
      }
    }
  }

  void milestoneAchieved(Achievement achievement, EncodedMessage message) {
    for (SourceListener l : listeners) {
      try {
        l.milestoneAchieved(achievement, message);
      } catch (RuntimeException e) {
        log.error(
            "Source '{}': a listener failed on milestone '{}'",
            sourceName,
            achievement.milestone().name(),
            e);
      }
    }
  }
}
