package org.arithmospora.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.arithmospora.core.store.StatLoader;
import org.arithmospora.core.store.StatReadException;
import org.arithmospora.core.store.StoreUnavailableException;
import org.arithmospora.core.type.NodeContext;
import org.arithmospora.core.type.NodeQuery;
import org.arithmospora.core.type.RawData;
import org.arithmospora.core.type.StatData;
import org.arithmospora.core.type.StatType;

/**
 * Reads stat trees through a {@link StatLoader}, level by level for all stats at once: one batch
 * for every stat's own node, one for all their data points, and so on. A read error fails only its
 * own stat; an unreachable store fails the whole read.
 */
final class TreeReader {
  /** Deeper trees than this are refused rather than followed: they are surely a mistake. */
  static final int MAX_DEPTH = 32;

  private final SourceDefinition source;

  TreeReader(SourceDefinition source) {
    this.source = source;
  }

  /** A stat to read and how. */
  record Target(StatDefinition stat, StatType type) {}

  /** The result of reading one stat. */
  sealed interface Outcome permits Loaded, Failed, Unavailable {}

  /** The stat's tree. */
  record Loaded(DataPoint tree) implements Outcome {}

  /** The stat's data was bad. */
  record Failed(StatReadException error) implements Outcome {}

  /** The store could not be reached. */
  record Unavailable(StoreUnavailableException error) implements Outcome {}

  private static final class Pending {
    final Target target;
    final NodeContext context;
    StatLoader.Reply<RawData> data;
    StatLoader.Reply<java.util.Set<String>> names;
    List<String> fixedNames;
    StatData decoded;
    final Map<String, Pending> children = new LinkedHashMap<>();

    Pending(Target target, NodeContext context) {
      this.target = target;
      this.context = context;
    }
  }

  /** Reads every target's tree through {@code loader}, as of {@code now}. */
  Map<Target, Outcome> read(StatLoader loader, List<Target> targets, Instant now) {
    Map<Target, Outcome> outcomes = new LinkedHashMap<>();
    List<Pending> roots = new ArrayList<>();
    for (Target t : targets) {
      roots.add(new Pending(t, NodeContext.root(source, t.stat(), now)));
    }
    List<Pending> level = roots;
    while (!level.isEmpty()) {
      StatLoader.ReadBatch batch = loader.newBatch();
      for (Pending p : level) {
        if (outcomes.containsKey(p.target)) {
          continue;
        }
        NodeQuery query = p.target.type().query(p.context);
        if (query.kind() != NodeQuery.Kind.NONE) {
          p.data = batch.read(p.context.address(), query);
        }
        Optional<List<String>> fixed = p.target.type().fixedDataPoints(p.context);
        if (fixed.isPresent()) {
          p.fixedNames = fixed.get();
        } else {
          p.names = batch.dataPointNames(p.context.address());
        }
      }
      try {
        batch.execute();
      } catch (StoreUnavailableException e) {
        for (Target t : targets) {
          outcomes.putIfAbsent(t, new Unavailable(e));
        }
        return outcomes;
      }
      List<Pending> next = new ArrayList<>();
      for (Pending p : level) {
        if (outcomes.containsKey(p.target)) {
          continue;
        }
        try {
          RawData raw =
              p.data == null ? RawData.empty(p.context.address().toString()) : p.data.get();
          p.decoded = p.target.type().decode(p.context, raw);
          java.util.Collection<String> names =
              p.fixedNames != null ? p.fixedNames : new TreeSet<>(p.names.get());
          if (!names.isEmpty() && p.context.depth() >= MAX_DEPTH) {
            throw new StatReadException(
                p.context.address().toString(),
                null,
                "data points are nested more than " + MAX_DEPTH + " levels deep");
          }
          for (String name : names) {
            Pending child = new Pending(p.target, p.context.child(name));
            p.children.put(name, child);
            next.add(child);
          }
        } catch (StatReadException e) {
          outcomes.put(p.target, new Failed(e));
        }
      }
      level = next;
    }
    for (Pending root : roots) {
      outcomes.computeIfAbsent(root.target, t -> new Loaded(assemble(root)));
    }
    return outcomes;
  }

  private static DataPoint assemble(Pending p) {
    Map<String, DataPoint> children = new LinkedHashMap<>();
    p.children.forEach((name, child) -> children.put(name, assemble(child)));
    return DataPoint.of(p.context.name(), p.decoded, children);
  }
}
