package org.arithmospora.core;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.arithmospora.core.internal.Debouncer;
import org.arithmospora.core.store.StatAddress;
import org.arithmospora.core.store.StatLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link LiveSource}'s stats read: follows the loaders' change notifications through the
 * {@link Debouncer}, reads the stats whose bursts settle together in one batch, re-reads everything
 * periodically, after a resynchronisation and (with backoff) after a store outage, and re-reads
 * timed stats when the clock moves their windows. Each tree read goes to the {@link TreeSink},
 * which decides whether it is news. Everything but {@link #markClosed()} runs on the source's
 * scheduler.
 */
final class StatRefresher {
  private static final Logger log = LoggerFactory.getLogger(LiveSource.class);

  /** Re-reads after a store outage: 1 s, 2 s, 4 s… up to 30 s. */
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

  private static final Duration LAST_RETRY = Duration.ofSeconds(30);

  /** Where each tree read goes. */
  interface TreeSink {
    void apply(LiveStat stat, DataPoint tree, Instant now);

    /** The trees of one round of reading have all been applied. */
    void roundDone();
  }

  private final SourceDefinition definition;
  private final Scheduler scheduler;
  private final List<LiveStat> stats;
  private final Map<StatLoader, List<LiveStat>> statsByLoader = new LinkedHashMap<>();
  private final Map<StatAddress, List<LiveStat>> statsByAddress = new HashMap<>();
  private final Duration fullRefresh;
  private final TreeSink sink;
  // Null when the source has no meters.
  private final Timer reads;
  private final TreeReader reader;
  private final SourceTimers timers;
  private final Debouncer<StatAddress> debouncer;
  private final List<StatLoader.Subscription> subscriptions = new ArrayList<>();
  private final Set<StatAddress> settled = new LinkedHashSet<>();
  // Touched only on the scheduler, but read by isStoreAvailable().
  private volatile boolean storeUnavailable;
  private volatile boolean closed;

  StatRefresher(
      SourceDefinition definition,
      Scheduler scheduler,
      List<LiveStat> stats,
      DebounceSettings debounce,
      Duration fullRefresh,
      TreeSink sink,
      Timer reads) {
    this.reads = reads;
    this.definition = definition;
    this.scheduler = scheduler;
    this.stats = stats;
    this.fullRefresh = fullRefresh;
    this.sink = sink;
    for (LiveStat s : stats) {
      statsByLoader.computeIfAbsent(s.loader, l -> new ArrayList<>()).add(s);
      statsByAddress.computeIfAbsent(s.def.address(), a -> new ArrayList<>()).add(s);
    }
    this.reader = new TreeReader(definition);
    this.timers = new SourceTimers(scheduler, new Backoff(FIRST_RETRY, LAST_RETRY));
    this.debouncer = new Debouncer<>(scheduler, debounce, this::reread);
  }

  /** Follows changes (when live), reads everything, and plans the periodic refresh. */
  void start() {
    if (definition.isLive()) {
      follow();
    }
    readAll("initial load");
    if (definition.isLive() && !fullRefresh.isZero()) {
      scheduleFullRefresh();
    }
  }

  /** From any thread: ignore notifications from now on. */
  void markClosed() {
    closed = true;
  }

  /** Stops following and cancels every timer for good. */
  void stop() {
    closed = true;
    subscriptions.forEach(StatLoader.Subscription::close);
    subscriptions.clear();
    debouncer.cancelAll();
    timers.cancelAll();
  }

  /** Whether the latest read reached the store; any thread. */
  boolean isStoreAvailable() {
    return !storeUnavailable;
  }

  private void follow() {
    for (Map.Entry<StatLoader, List<LiveStat>> e : statsByLoader.entrySet()) {
      Set<StatAddress> addresses = new LinkedHashSet<>();
      e.getValue().forEach(s -> addresses.add(s.def.address()));
      subscriptions.add(
          e.getKey()
              .follow(
                  addresses,
                  new StatLoader.ChangeListener() {
                    @Override
                    public void changed(StatAddress stat) {
                      if (!closed) {
                        scheduler.execute(() -> debouncer.notify(stat));
                      }
                    }

                    @Override
                    public void resynchronize() {
                      if (!closed) {
                        scheduler.execute(() -> readAll("resynchronisation"));
                      }
                    }
                  }));
    }
  }

  private void scheduleFullRefresh() {
    timers.every(
        fullRefresh,
        () -> {
          log.debug("Source '{}': periodic refresh", definition.name());
          readAll("periodic refresh");
        });
  }

  /**
   * A settled burst: the stat is read with every other stat that settles at the same moment, in one
   * batch. Writers change several stats at once and announce each, so their bursts settle together;
   * reading them together costs one round trip and hands their messages to listeners back to back,
   * where the websocket server sends them to each client in one write.
   */
  private void reread(StatAddress address) {
    if (closed) {
      return;
    }
    boolean first = settled.isEmpty();
    settled.add(address);
    if (first) {
      // Runs after the other bursts already due now, which join the set first.
      scheduler.execute(this::readSettled);
    }
  }

  private void readSettled() {
    Set<LiveStat> toRead = new LinkedHashSet<>();
    for (StatAddress a : settled) {
      toRead.addAll(statsByAddress.getOrDefault(a, List.of()));
    }
    String why =
        settled.size() == 1
            ? "update of " + settled.iterator().next()
            : "update of " + settled.size() + " stats";
    settled.clear();
    if (!closed && !toRead.isEmpty()) {
      read(toRead, why);
    }
  }

  void readAll(String why) {
    if (!closed) {
      read(stats, why);
    }
  }

  private void read(Collection<LiveStat> toRead, String why) {
    long started = System.nanoTime();
    try {
      readTimed(toRead, why);
    } finally {
      if (reads != null) {
        reads.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      }
    }
  }

  private void readTimed(Collection<LiveStat> toRead, String why) {
    Instant now = scheduler.now();
    boolean unavailable = false;
    boolean answered = false;
    Map<StatLoader, List<LiveStat>> grouped = new LinkedHashMap<>();
    for (LiveStat s : toRead) {
      grouped.computeIfAbsent(s.loader, l -> new ArrayList<>()).add(s);
    }
    for (Map.Entry<StatLoader, List<LiveStat>> e : grouped.entrySet()) {
      Map<TreeReader.Target, LiveStat> byTarget = new LinkedHashMap<>();
      e.getValue().forEach(s -> byTarget.put(s.target, s));
      Map<TreeReader.Target, TreeReader.Outcome> outcomes =
          reader.read(e.getKey(), new ArrayList<>(byTarget.keySet()), now);
      for (Map.Entry<TreeReader.Target, TreeReader.Outcome> o : outcomes.entrySet()) {
        LiveStat stat = byTarget.get(o.getKey());
        TreeReader.Outcome outcome = o.getValue();
        if (outcome instanceof TreeReader.Loaded loaded) {
          answered = true;
          sink.apply(stat, loaded.tree(), now);
        } else if (outcome instanceof TreeReader.Failed failed) {
          answered = true;
          stat.failed(failed.error(), definition.name());
        } else if (outcome instanceof TreeReader.Unavailable u) {
          if (!unavailable && !storeUnavailable) {
            log.warn(
                "Source '{}': store unavailable during {} ({}); stats keep their last values",
                definition.name(),
                why,
                u.error().getMessage());
          }
          unavailable = true;
        }
      }
    }
    sink.roundDone();
    if (unavailable) {
      storeUnavailable = true;
      scheduleRetry();
    } else if (answered) {
      // Only a read the store answered says it is back: reading nothing says nothing.
      if (storeUnavailable) {
        log.info("Source '{}': store reachable again; stats are current", definition.name());
      }
      storeUnavailable = false;
      timers.storeAnswered();
    } else if (storeUnavailable) {
      scheduleRetry();
    }
    if (definition.isLive()) {
      scheduleTimeChange(now);
    }
  }

  /** After an outage, read everything again with backoff until the store answers. */
  private void scheduleRetry() {
    if (!closed) {
      timers.retry(
          () -> {
            if (storeUnavailable) {
              readAll("retry after store outage");
            }
          });
    }
  }

  /** Plans the re-read of the stats whose timed windows move next. */
  private void scheduleTimeChange(Instant now) {
    Instant next = null;
    for (LiveStat s : stats) {
      Optional<Instant> t = s.type.nextTimeChange(definition, s.def, now);
      if (t.isPresent() && (next == null || t.get().isBefore(next))) {
        next = t.get();
      }
    }
    Instant due = next;
    timers.at(
        closed ? null : due,
        () -> {
          Instant at = scheduler.now();
          List<LiveStat> moved = new ArrayList<>();
          for (LiveStat s : stats) {
            // From the instant planned, not the one it ran at: on a real clock the task runs a
            // little late, and from then the boundary just passed is behind, not ahead.
            if (s.type
                .nextTimeChange(definition, s.def, due.minusNanos(1))
                .map(t -> !t.isAfter(at))
                .orElse(false)) {
              moved.add(s);
            }
          }
          read(moved, "clock reaching " + due);
        });
  }
}
