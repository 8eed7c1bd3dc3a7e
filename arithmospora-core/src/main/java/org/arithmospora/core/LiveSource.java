package org.arithmospora.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.arithmospora.core.internal.Debouncer;
import org.arithmospora.core.store.StatAddress;
import org.arithmospora.core.store.StatLoader;
import org.arithmospora.core.type.StatType;
import org.arithmospora.core.type.StatTypeRegistry;
import org.arithmospora.core.wire.EncodedMessage;
import org.arithmospora.core.wire.WireFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Source} kept current from its store: loads every stat, follows change notifications
 * through the {@link Debouncer}, re-reads a stat (with its data points, old and new) when its burst
 * settles, re-reads everything periodically and after the store comes back, moves timed windows as
 * the clock passes bucket boundaries, checks milestones, and tells {@link SourceListener listeners}
 * about every new message, encoded once.
 *
 * <pre>{@code
 * LiveSource source = LiveSource.builder(definition)
 *     .loader(store)                      // the default loader for every stat
 *     .debounce(DebounceSettings.DEFAULTS)
 *     .build();
 * source.start();                         // loads everything, then follows changes
 * }</pre>
 *
 * <p>All state changes happen on the source's {@link Scheduler}, one task at a time; readers on
 * other threads see each stat's tree and message change together. A stat whose data is bad keeps
 * its last good tree and the error is logged once, naming the key and field; other stats go on.
 *
 * <p>It still holds wiring and validation, life cycle and reading (milestones, listeners and timers
 * are classes of their own); the validation moves out with the domain builders' own checks.
 */
public final class LiveSource implements Source, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveSource.class);

  /** How often a live source re-reads everything, as the Go program did. */
  public static final Duration DEFAULT_FULL_REFRESH = Duration.ofMinutes(2);

  /** Re-reads after a store outage: 1 s, 2 s, 4 s… up to 30 s. */
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

  private static final Duration LAST_RETRY = Duration.ofSeconds(30);

  /** How long {@link #close()} waits for the source's thread. */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /** {@link #start()} waits for the first load, however long its reads take. */
  private static final Duration UNTIL_DONE = Duration.ofNanos(Long.MAX_VALUE);

  private final SourceDefinition definition;
  private final Scheduler scheduler;
  private final boolean ownsScheduler;
  private final Duration fullRefresh;
  private final List<LiveStat> stats;
  private final Map<StatLoader, List<LiveStat>> statsByLoader;
  private final Map<StatAddress, List<LiveStat>> statsByAddress;
  private final MilestoneTracker milestones;
  private final EncodedMessage available;
  private final TreeReader reader;
  private final Debouncer<StatAddress> debouncer;
  private final SourceListeners listeners;
  private final List<StatLoader.Subscription> subscriptions = new ArrayList<>();
  private final AtomicLong updates = new AtomicLong();

  // Touched only on the scheduler, but read by isStoreAvailable().
  private volatile boolean storeUnavailable;
  private final Set<StatAddress> settled = new LinkedHashSet<>();
  private final SourceTimers timers;
  private volatile boolean closed;

  private LiveSource(Builder b) {
    this.definition = b.definition;
    this.ownsScheduler = b.scheduler == null;
    this.scheduler =
        b.scheduler != null
            ? b.scheduler
            : new ThreadScheduler("arithmospora-source-" + definition.name());
    this.fullRefresh = b.fullRefresh;
    this.timers = new SourceTimers(scheduler, new Backoff(FIRST_RETRY, LAST_RETRY));
    this.reader = new TreeReader(definition);
    this.available = WireFormat.available(definition);

    List<LiveStat> all = new ArrayList<>();
    Map<StatLoader, List<LiveStat>> byLoader = new LinkedHashMap<>();
    Map<StatAddress, List<LiveStat>> byAddress = new HashMap<>();
    for (StatDefinition def : definition.stats()) {
      StatType type = b.types.get(def.dataType()); // known: checked by build()
      StatLoader loader = b.loaderFor(def);
      if (loader == null) {
        throw new IllegalArgumentException(
            where(definition, def)
                + (def.loaderType() == null
                    ? "names no loader type and there is no default loader"
                    : "no loader for loader type '"
                        + def.loaderType()
                        + "'; known: "
                        + String.join(", ", b.loaders.keySet())));
      }
      LiveStat state = new LiveStat(def, type, loader);
      all.add(state);
      byLoader.computeIfAbsent(loader, l -> new ArrayList<>()).add(state);
      byAddress.computeIfAbsent(def.address(), a -> new ArrayList<>()).add(state);
    }
    this.stats = List.copyOf(all);
    this.statsByLoader = byLoader;
    this.statsByAddress = byAddress;

    this.milestones = new MilestoneTracker(definition, all);
    this.listeners = new SourceListeners(definition.name());
    this.debouncer = new Debouncer<>(scheduler, b.debounce, this::reread);
  }

  /** A builder for a source of the given definition. */
  public static Builder builder(SourceDefinition definition) {
    return new Builder(definition);
  }

  /**
   * Loads every stat and, for a live source, starts following changes. Returns once the first load
   * has been attempted; stats that could not be read are retried in the background. Do not call it
   * from a task of this source's scheduler.
   */
  public void start() {
    try {
      scheduler.callAndWait(
          () -> {
            if (definition.isLive()) {
              follow();
            }
            readAll("initial load");
            if (definition.isLive() && !fullRefresh.isZero()) {
              scheduleFullRefresh();
            }
            return null;
          },
          UNTIL_DONE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "source '" + definition.name() + "' failed to start", e.getCause());
    }
  }

  /** Re-reads every stat soon and publishes those that changed. */
  public void refreshAll() {
    scheduler.execute(() -> readAll("refresh"));
  }

  @Override
  public SourceDefinition definition() {
    return definition;
  }

  @Override
  public List<? extends Stat> stats() {
    return stats;
  }

  @Override
  public Optional<? extends Stat> find(String group, String key) {
    return stats.stream()
        .filter(s -> s.def.group().equals(group) && s.def.key().equals(key))
        .findFirst();
  }

  @Override
  public EncodedMessage availableMessage() {
    return available;
  }

  @Override
  public long updatesPublished() {
    return updates.get();
  }

  @Override
  public long milestonesAchieved() {
    return milestones.achieved();
  }

  @Override
  public void addListener(SourceListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeListener(SourceListener listener) {
    listeners.remove(listener);
  }

  /**
   * Whether the source's scheduler runs a task within {@code timeout}: a liveness check (a source
   * stuck on a read, for example, is not responsive).
   */
  public boolean isResponsive(Duration timeout) {
    try {
      scheduler.callAndWait(() -> null, timeout);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  /** Whether the latest read reached the store. */
  public boolean isStoreAvailable() {
    return !storeUnavailable;
  }

  /** The scheduler this source runs on. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** Stops following changes and cancels timers; the last trees stay readable. */
  @Override
  public void close() {
    closed = true;
    try {
      scheduler.callAndWait(
          () -> {
            subscriptions.forEach(StatLoader.Subscription::close);
            subscriptions.clear();
            debouncer.cancelAll();
            timers.cancelAll();
            return null;
          },
          CLOSE_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("Source '{}' did not stop cleanly: {}", definition.name(), e.toString());
    }
    if (ownsScheduler && scheduler instanceof ThreadScheduler t) {
      t.close();
    }
  }

  // ---- everything below runs on the scheduler ----

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

  private void readAll(String why) {
    if (!closed) {
      read(stats, why);
    }
  }

  private void read(Collection<LiveStat> toRead, String why) {
    Instant now = scheduler.now();
    boolean unavailable = false;
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
          apply(stat, loaded.tree(), now);
        } else if (outcome instanceof TreeReader.Failed failed) {
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
    if (unavailable) {
      storeUnavailable = true;
      scheduleRetry();
    } else {
      if (storeUnavailable) {
        log.info("Source '{}': store reachable again; stats are current", definition.name());
      }
      storeUnavailable = false;
      timers.storeAnswered();
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
            if (s.type
                .nextTimeChange(definition, s.def, at.minusNanos(1))
                .map(t -> !t.isAfter(at))
                .orElse(false)) {
              moved.add(s);
            }
          }
          read(moved, "clock reaching " + due);
        });
  }

  private void apply(LiveStat stat, DataPoint tree, Instant now) {
    stat.recovered(definition.name());
    Optional<DataPoint> previous = stat.current();
    if (previous.isPresent() && previous.get().equals(tree)) {
      return;
    }
    EncodedMessage message = WireFormat.stat(stat.def, tree);
    stat.publish(tree, message);
    updates.incrementAndGet();
    listeners.statChanged(stat, message);
    for (Achievement a : milestones.check(stat, tree, previous.isEmpty(), now)) {
      listeners.milestoneAchieved(a, WireFormat.milestone(a.milestone(), now));
    }
  }

  /** Whether a milestone has been met, and when. For tests and status pages. */
  public Optional<Instant> achievedWhen(String milestoneName) {
    return milestones.achievedWhen(milestoneName);
  }

  /** Builds a {@link LiveSource}; validates that every stat has a known type and loader. */
  public static final class Builder {
    private final SourceDefinition definition;
    private StatTypeRegistry types = StatTypeRegistry.ofDefaults();
    private StatLoader defaultLoader;
    private final Map<String, StatLoader> loaders = new LinkedHashMap<>();
    private DebounceSettings debounce = DebounceSettings.DEFAULTS;
    private Scheduler scheduler;
    private Duration fullRefresh = DEFAULT_FULL_REFRESH;

    private Builder(SourceDefinition definition) {
      this.definition = Objects.requireNonNull(definition);
    }

    /** The stat types to resolve data types with (default: the five built-ins). */
    public Builder types(StatTypeRegistry registry) {
      this.types = Objects.requireNonNull(registry);
      return this;
    }

    /**
     * The loader of a stat: the one registered for its loader type; for a stat without one, the
     * default loader, or the only registered loader.
     */
    private StatLoader loaderFor(StatDefinition def) {
      if (def.loaderType() != null) {
        return loaders.get(def.loaderType());
      }
      if (defaultLoader != null) {
        return defaultLoader;
      }
      return loaders.size() == 1 ? loaders.values().iterator().next() : null;
    }

    /** The loader for stats that name no loader type. */
    public Builder loader(StatLoader loader) {
      this.defaultLoader = Objects.requireNonNull(loader);
      return this;
    }

    /** The loader for stats of {@code loaderType}, e.g. {@code redis}. */
    public Builder loader(String loaderType, StatLoader loader) {
      loaders.put(Objects.requireNonNull(loaderType), Objects.requireNonNull(loader));
      return this;
    }

    /** How notifications are gathered before a re-read (default 200 ms / 1 s). */
    public Builder debounce(DebounceSettings settings) {
      this.debounce = Objects.requireNonNull(settings);
      return this;
    }

    /** Where the source's work runs (default: a thread of its own, stopped on close). */
    public Builder scheduler(Scheduler s) {
      this.scheduler = Objects.requireNonNull(s);
      return this;
    }

    /** How often a live source re-reads everything (default 120 s; zero turns it off). */
    public Builder fullRefreshInterval(Duration interval) {
      if (interval.isNegative()) {
        throw new IllegalArgumentException("the full refresh interval must not be negative");
      }
      this.fullRefresh = interval;
      return this;
    }

    /**
     * Checks the definition against the stat types and builds.
     *
     * @throws InvalidDefinitionException listing every problem of {@link
     *     SourceDefinition#problems(StatTypeRegistry)}: unknown data types (naming the known ones),
     *     what a type finds wrong with its stats, milestones on fields their stat does not have
     * @throws IllegalArgumentException naming the stat whose loader type has no loader
     */
    public LiveSource build() {
      List<Problem> problems = definition.problems(types);
      if (!problems.isEmpty()) {
        throw new InvalidDefinitionException(definition.name(), problems);
      }
      return new LiveSource(this);
    }
  }

  /** The start of a message about one stat of a source: {@code source 'x', stat group:key: }. */
  private static String where(SourceDefinition source, StatDefinition stat) {
    return "source '" + source.name() + "', stat " + stat.group() + ":" + stat.key() + ": ";
  }
}
