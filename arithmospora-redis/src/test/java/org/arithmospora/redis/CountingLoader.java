package org.arithmospora.redis;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.arithmospora.core.store.NodeAddress;
import org.arithmospora.core.store.StatAddress;
import org.arithmospora.core.store.StatLoader;
import org.arithmospora.core.store.StoreUnavailableException;
import org.arithmospora.core.type.NodeQuery;
import org.arithmospora.core.type.RawData;

/**
 * Wraps a loader to count round trips. With {@code perKey} set, every read is sent on its own (one
 * command per key, as the Go program did) instead of in the caller's batch.
 */
final class CountingLoader implements StatLoader {
  final StatLoader delegate;
  final boolean perKey;
  final AtomicInteger roundTrips = new AtomicInteger();
  final AtomicInteger commands = new AtomicInteger();

  CountingLoader(StatLoader delegate, boolean perKey) {
    this.delegate = delegate;
    this.perKey = perKey;
  }

  @Override
  public ReadBatch newBatch() {
    ReadBatch batch = delegate.newBatch();
    return new ReadBatch() {
      @Override
      public Reply<RawData> read(NodeAddress node, NodeQuery query) {
        commands.incrementAndGet();
        return perKey ? single(b -> b.read(node, query)) : batch.read(node, query);
      }

      @Override
      public Reply<Set<String>> dataPointNames(NodeAddress node) {
        commands.incrementAndGet();
        return perKey ? single(b -> b.dataPointNames(node)) : batch.dataPointNames(node);
      }

      @Override
      public void execute() throws StoreUnavailableException {
        if (!perKey) {
          roundTrips.incrementAndGet();
          batch.execute();
        }
      }
    };
  }

  private interface Queue<T> {
    Reply<T> on(ReadBatch b);
  }

  private <T> Reply<T> single(Queue<T> q) {
    ReadBatch own = delegate.newBatch();
    Reply<T> reply = q.on(own);
    roundTrips.incrementAndGet();
    try {
      own.execute();
    } catch (StoreUnavailableException e) {
      throw new IllegalStateException(e);
    }
    return reply;
  }

  @Override
  public Subscription follow(Collection<StatAddress> stats, ChangeListener listener) {
    return delegate.follow(stats, listener);
  }
}
