package org.arithmospora.core.store;

import java.util.Collection;
import org.arithmospora.core.type.NodeQuery;
import org.arithmospora.core.type.RawData;

/**
 * The service-provider interface a store implements so that stats can be read from it and followed:
 * read a node's data, read a node's data point names, and report "changed" notifications. One
 * loader serves one source (it knows the source's key prefix).
 *
 * <p>Reads come in {@link ReadBatch batches}: core walks every stat tree of a source level by
 * level, so a loader that sends a batch in one round trip (Redis pipelining) reads a whole source
 * in as many round trips as the trees are deep.
 *
 * <p>{@link InMemoryStore} is the in-memory implementation, for embedders and tests. Loaders must
 * be thread-safe.
 */
public interface StatLoader extends AutoCloseable {

  /** A new, empty batch of reads. */
  ReadBatch newBatch();

  /**
   * Starts following change notifications of the given top-level stats. Notifications and
   * resynchronisations may arrive on any thread.
   *
   * @return a handle that stops following when closed
   */
  Subscription follow(Collection<StatAddress> stats, ChangeListener listener);

  /** Releases what the loader holds for its source; the default does nothing. */
  @Override
  default void close() {}

  /** A group of reads sent together; not thread-safe, used once. */
  interface ReadBatch {

    /** Queues a read of a node's own data. */
    Reply<RawData> read(NodeAddress node, NodeQuery query);

    /** Queues a read of the names of a node's data points (its {@code :datapoints} set). */
    Reply<java.util.Set<String>> dataPointNames(NodeAddress node);

    /**
     * Sends every queued read; afterwards each {@link Reply} holds its result.
     *
     * @throws StoreUnavailableException when the store cannot be reached at all
     */
    void execute() throws StoreUnavailableException;
  }

  /** The result of one queued read, available after {@link ReadBatch#execute()}. */
  @FunctionalInterface
  interface Reply<T> {
    /**
     * The value read.
     *
     * @throws StatReadException when this one read failed (e.g. a key of the wrong type)
     */
    T get() throws StatReadException;
  }

  /** Receives change notifications. */
  interface ChangeListener {
    /** Something of this top-level stat (or its data points) changed. */
    void changed(StatAddress stat);

    /**
     * Notifications may have been missed (the connection was lost and is back): everything should
     * be read again.
     */
    default void resynchronize() {}
  }

  /** Stops following when closed. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
