package org.arithmospora.core;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.arithmospora.core.wire.EncodedMessage;

/** Records what a source publishes, for assertions. */
final class RecordingListener implements SourceListener {
  final List<EncodedMessage> stats = new ArrayList<>();
  final List<EncodedMessage> milestones = new ArrayList<>();
  final List<Achievement> achievements = new ArrayList<>();

  @Override
  public synchronized void statChanged(Stat stat, EncodedMessage message) {
    stats.add(message);
  }

  @Override
  public synchronized void milestoneAchieved(Achievement achievement, EncodedMessage message) {
    achievements.add(achievement);
    milestones.add(message);
  }

  synchronized List<String> events() {
    return stats.stream().map(EncodedMessage::event).collect(Collectors.toList());
  }

  synchronized EncodedMessage last(String event) {
    for (int i = stats.size() - 1; i >= 0; i--) {
      if (stats.get(i).event().equals(event)) {
        return stats.get(i);
      }
    }
    throw new AssertionError("no message for " + event + "; got " + events());
  }

  synchronized void clear() {
    stats.clear();
    milestones.clear();
    achievements.clear();
  }
}
