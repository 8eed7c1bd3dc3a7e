package org.arithmospora.core.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.arithmospora.core.type.NodeQuery;
import org.arithmospora.core.type.RawData;

/**
 * A {@link StatLoader} that keeps everything in memory, laid out like the Redis store (a scalar
 * value, fields and a data point set per node), for embedders who feed values from their own code
 * and for tests. Thread-safe.
 *
 * <pre>{@code
 * InMemoryStore store = new InMemoryStore();
 * store.stat("total").set("current", 71).set("total", 200);
 * store.stat("studytypes").dataPoint("PG").dataPoint("T").set("current", 12);
 * store.stat("total").publish();   // like PUBLISH <base>:updates
 * }</pre>
 */
public final class InMemoryStore implements StatLoader {
  private final Map<NodeAddress, NodeRecord> nodes = new HashMap<>();
  private final List<Follower> followers = new CopyOnWriteArrayList<>();
  private volatile boolean available = true;

  /** An empty store, reachable, with no followers. */
  public InMemoryStore() {}

  /** The node of a top-level stat without a period. */
  public Node stat(String name) {
    return new Node(NodeAddress.root(StatAddress.of(name)));
  }

  /** The node of a top-level stat with a period. */
  public Node stat(String name, String period) {
    return new Node(NodeAddress.root(StatAddress.of(name, period)));
  }

  /** The node at {@code address}. */
  public Node node(NodeAddress address) {
    return new Node(address);
  }

  /**
   * Makes the store unreachable ({@code false}: every batch fails with {@link
   * StoreUnavailableException}) or reachable again ({@code true}: followers are asked to
   * resynchronise), to rehearse an outage.
   */
  public void setAvailable(boolean isAvailable) {
    boolean wasAvailable = available;
    available = isAvailable;
    if (isAvailable && !wasAvailable) {
      followers.forEach(f -> f.listener.resynchronize());
    }
  }

  /** Notifies followers of {@code stat}, as a {@code PUBLISH} on its updates channel would. */
  public void publish(StatAddress stat) {
    if (!available) {
      return;
    }
    for (Follower f : followers) {
      if (f.stats.contains(stat)) {
        f.listener.changed(stat);
      }
    }
  }

  @Override
  public ReadBatch newBatch() {
    return new Batch();
  }

  @Override
  public Subscription follow(Collection<StatAddress> stats, ChangeListener listener) {
    Follower f = new Follower(Set.copyOf(stats), listener);
    followers.add(f);
    return () -> followers.remove(f);
  }

  private record Follower(Set<StatAddress> stats, ChangeListener listener) {}

  private static final class NodeRecord {
    String value;
    final Map<String, String> fields = new LinkedHashMap<>();
    final Set<String> dataPoints = new TreeSet<>();
  }

  private NodeRecord record(NodeAddress address) {
    return nodes.computeIfAbsent(address, a -> new NodeRecord());
  }

  private static String location(NodeAddress address) {
    return "memory:" + address;
  }

  /** A handle on one node of the store. */
  public final class Node {
    private final NodeAddress address;

    private Node(NodeAddress address) {
      this.address = address;
    }

    /** The node's address. */
    public NodeAddress address() {
      return address;
    }

    /** The data point {@code name} below this node, added to this node's data point set. */
    public Node dataPoint(String name) {
      synchronized (InMemoryStore.this) {
        record(address).dataPoints.add(name);
      }
      return new Node(address.child(name));
    }

    /** Removes data point {@code name} from this node's set (its data stays, unreachable). */
    public Node removeDataPoint(String name) {
      synchronized (InMemoryStore.this) {
        record(address).dataPoints.remove(name);
      }
      return this;
    }

    /** Sets the scalar value. */
    public Node setValue(long value) {
      return setRawValue(Long.toString(value));
    }

    /** Sets the scalar value as stored text (which need not be a number, to test bad data). */
    public Node setRawValue(String value) {
      synchronized (InMemoryStore.this) {
        record(address).value = value;
      }
      return this;
    }

    /** Adds {@code delta} to the scalar value (a missing value counts as 0). */
    public Node incrementValue(long delta) {
      synchronized (InMemoryStore.this) {
        NodeRecord r = record(address);
        r.value = Long.toString((r.value == null ? 0 : Long.parseLong(r.value)) + delta);
      }
      return this;
    }

    /** Sets a field. */
    public Node set(String field, long value) {
      return setRaw(field, Long.toString(value));
    }

    /** Sets a field as stored text (which need not be a number, to test bad data). */
    public Node setRaw(String field, String value) {
      synchronized (InMemoryStore.this) {
        record(address).fields.put(field, value);
      }
      return this;
    }

    /** Adds {@code delta} to a field (a missing field counts as 0). */
    public Node increment(String field, long delta) {
      synchronized (InMemoryStore.this) {
        record(address)
            .fields
            .merge(
                field,
                Long.toString(delta),
                (old, d) -> Long.toString(Long.parseLong(old) + Long.parseLong(d)));
      }
      return this;
    }

    /** Removes a field. */
    public Node remove(String field) {
      synchronized (InMemoryStore.this) {
        record(address).fields.remove(field);
      }
      return this;
    }

    /** Notifies followers of this node's top-level stat. */
    public Node publish() {
      InMemoryStore.this.publish(address.stat());
      return this;
    }
  }

  private final class Batch implements ReadBatch {
    private final List<Runnable> queued = new ArrayList<>();

    @Override
    public Reply<RawData> read(NodeAddress node, NodeQuery query) {
      Result<RawData> result = new Result<>();
      queued.add(
          () -> {
            NodeRecord r = nodes.get(node);
            String where = location(node);
            result.value =
                switch (query.kind()) {
                  case NONE -> RawData.empty(where);
                  case VALUE -> RawData.ofValue(where, r == null ? null : r.value);
                  case ALL_FIELDS -> RawData.ofFields(where, r == null ? Map.of() : r.fields);
                  case FIELDS -> {
                    Map<String, String> picked = new LinkedHashMap<>();
                    if (r != null) {
                      for (String f : query.fieldNames()) {
                        if (r.fields.containsKey(f)) {
                          picked.put(f, r.fields.get(f));
                        }
                      }
                    }
                    yield RawData.ofFields(where, picked);
                  }
                };
          });
      return () -> result.value;
    }

    @Override
    public Reply<Set<String>> dataPointNames(NodeAddress node) {
      Result<Set<String>> result = new Result<>();
      queued.add(
          () -> {
            NodeRecord r = nodes.get(node);
            result.value = r == null ? Set.of() : Set.copyOf(r.dataPoints);
          });
      return () -> result.value;
    }

    @Override
    public void execute() throws StoreUnavailableException {
      if (!available) {
        throw new StoreUnavailableException("the in-memory store is marked unavailable", null);
      }
      synchronized (InMemoryStore.this) {
        queued.forEach(Runnable::run);
      }
    }
  }

  private static final class Result<T> {
    T value;
  }
}
