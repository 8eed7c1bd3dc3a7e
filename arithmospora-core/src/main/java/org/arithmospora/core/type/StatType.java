package org.arithmospora.core.type;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.arithmospora.core.Problems;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.store.StatReadException;

/**
 * A kind of stat data: what to read from the store for each node of a stat tree, how to turn it
 * into {@link StatData} (which knows its own JSON), and which fields milestones may read.
 *
 * <p>The five built-in types are registered by {@link StatTypeRegistry#ofDefaults()}; add your own
 * with {@link StatTypeRegistry.Builder#register(StatType)}. Implementations must be immutable and
 * thread-safe. A type applies to every node of a stat: a proportion stat's data points are
 * proportions too.
 */
public interface StatType {

  /** The name used as {@code data_type} in configuration, e.g. {@code proportion}. */
  String name();

  /** What to read for a node's own data. */
  NodeQuery query(NodeContext node);

  /**
   * Turns what was read for a node into its data.
   *
   * @throws StatReadException when the stored data is malformed; name {@link RawData#location()}
   *     and the field
   */
  StatData decode(NodeContext node, RawData raw) throws StatReadException;

  /**
   * The data points of a node when the type decides them rather than the store, e.g. a timed stat's
   * one data point per period. Empty (the default) means: read the names from the store.
   */
  default Optional<List<String>> fixedDataPoints(NodeContext node) {
    return Optional.empty();
  }

  /**
   * Whether a milestone may read {@code field} of this type's data. The default accepts the names
   * of {@link #fieldNames()}.
   */
  default boolean hasField(String field) {
    return fieldNames().contains(field);
  }

  /**
   * Reports what is wrong with a stat of this type, such as a period it needs, to {@code problems},
   * which is placed at the stat (use {@link Problems#source()} for what is wrong with the source as
   * a whole). Called by {@link SourceDefinition#problems(StatTypeRegistry)}; the default finds
   * nothing wrong.
   *
   * @param source the stat's source
   * @param stat a stat whose data type is this type
   * @param problems where to add problems, below the stat's path
   */
  default void validate(SourceDefinition source, StatDefinition stat, Problems problems) {}

  /** The fields milestones may read, for documentation and error messages. */
  Set<String> fieldNames();

  /**
   * The next moment at which reading the stat again could give a different result even if the store
   * has not changed, e.g. when a moving window enters a new bucket; empty when time alone never
   * changes it (the default).
   *
   * @param source the stat's source
   * @param stat the top-level stat
   * @param now the present moment
   */
  default Optional<Instant> nextTimeChange(
      SourceDefinition source, StatDefinition stat, Instant now) {
    return Optional.empty();
  }
}
