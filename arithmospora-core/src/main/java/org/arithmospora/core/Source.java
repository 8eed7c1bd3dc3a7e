package org.arithmospora.core;

import java.util.List;
import java.util.Optional;
import org.arithmospora.core.wire.EncodedMessage;

/**
 * A named set of stat groups, kept current. Adapters read its stats and listen for changes; {@link
 * LiveSource} is the implementation. Thread-safe.
 */
public interface Source {

  /** The source's name; also its endpoint path {@code /<name>}. */
  default String name() {
    return definition().name();
  }

  /** The source as configured. */
  SourceDefinition definition();

  /** Every stat, in configuration order. */
  List<? extends Stat> stats();

  /** The stat with the given key in the given group. */
  Optional<? extends Stat> find(String group, String key);

  /** The {@code available} message, encoded once. */
  EncodedMessage availableMessage();

  /** How many stat messages this source has published since it started. */
  long updatesPublished();

  /** How many milestones have been met (with a message) since it started. */
  long milestonesAchieved();

  /**
   * Every milestone met so far, oldest first, for a client that joins late: those met while running
   * with the time they were met, those already met when the source first loaded with the time of
   * that load. None by default.
   */
  default List<Achievement> milestonesMet() {
    return List.of();
  }

  /**
   * Whether this source tells its listeners when a round of changes is complete ({@link
   * SourceListener#roundComplete()}). False by default: each change then stands alone.
   */
  default boolean reportsRounds() {
    return false;
  }

  /** Adds a listener; it hears about every change from now on. */
  void addListener(SourceListener listener);

  /** Removes a listener added before. */
  void removeListener(SourceListener listener);
}
