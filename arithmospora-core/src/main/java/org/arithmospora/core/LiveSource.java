package org.arithmospora.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.arithmospora.core.internal.Debouncer;
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
 * <p>It orchestrates: reading is {@link StatRefresher}'s, milestones {@link MilestoneTracker}'s,
 * listener fan-out {@link SourceListeners}', and checking the definition {@link
 * SourceDefinition#problems(StatTypeRegistry)}'s.
 */
public final class LiveSource implements Source, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveSource.class);

  /** How often a live source re-reads everything, as the Go program did. */
  public static final Duration DEFAULT_FULL_REFRESH = Duration.ofMinutes(2);

  /** How long {@link #close()} waits for the source's thread. */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /** {@link #start()} waits for the first load, however long its reads take. */
  private static final Duration UNTIL_DONE = Duration.ofNanos(Long.MAX_VALUE);

  private final SourceDefinition definition;
  private final Scheduler scheduler;
  private final boolean ownsScheduler;
  private final List<LiveStat> stats;
  private final MilestoneTracker milestones;
  // Whether the round of reading under way changed a stat. The scheduler's thread only.
  private boolean changedThisRound;
  private final EncodedMessage available;
  private final SourceListeners listeners;
  private final AtomicLong updates = new AtomicLong();
  private final StatRefresher refresher;

  private LiveSource(Builder b) {
    this.definition = b.definition;
    this.ownsScheduler = b.scheduler == null;
    this.scheduler =
        b.scheduler != null
            ? b.scheduler
            : new ThreadScheduler("arithmospora-source-" + definition.name());
    this.available = WireFormat.available(definition);
    List<LiveStat> all = new ArrayList<>();
    for (StatDefinition def : definition.stats()) {
      StatType type = b.types.get(def.dataType()); // known: checked by build()
      StatLoader loader = b.loaderFor(def);
      if (loader == null) {
        throw new IllegalArgumentException(
            "source '"
                + definition.name()
                + "', stat "
                + def.group()
                + ":"
                + def.key()
                + ": "
                + (def.loaderType() == null
                    ? "names no loader type and there is no default loader"
                    : "no loader for loader type '"
                        + def.loaderType()
                        + "'; known: "
                        + String.join(", ", b.loaders.keySet())));
      }
      all.add(new LiveStat(def, type, loader));
    }
    this.stats = List.copyOf(all);
    this.milestones = new MilestoneTracker(definition, stats);
    this.listeners = new SourceListeners(definition.name());
    Timer reads = b.meters == null ? null : SourceMeters.register(b.meters, this);
    this.refresher =
        new StatRefresher(
            definition,
            scheduler,
            stats,
            b.debounce,
            b.fullRefresh,
            new StatRefresher.TreeSink() {
              @Override
              public void apply(LiveStat stat, DataPoint tree, Instant now) {
                LiveSource.this.apply(stat, tree, now);
              }

              @Override
              public void roundDone() {
                if (changedThisRound) {
                  changedThisRound = false;
                  listeners.roundComplete();
                }
              }
            },
            reads);
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
            refresher.start();
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
    scheduler.execute(() -> refresher.readAll("refresh"));
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

  /** True: listeners hear {@link SourceListener#roundComplete()} after each round of changes. */
  @Override
  public boolean reportsRounds() {
    return true;
  }

  @Override
  public List<Achievement> milestonesMet() {
    return milestones.met();
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
    return refresher.isStoreAvailable();
  }

  /** The scheduler this source runs on. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** Stops following changes and cancels timers; the last trees stay readable. */
  @Override
  public void close() {
    refresher.markClosed();
    try {
      scheduler.callAndWait(
          () -> {
            refresher.stop();
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

  /** A tree just read, on the scheduler: published, announced and checked if it is news. */
  private void apply(LiveStat stat, DataPoint tree, Instant now) {
    stat.recovered(definition.name());
    Optional<DataPoint> previous = stat.current();
    if (previous.isPresent() && previous.get().equals(tree)) {
      return;
    }
    EncodedMessage message = WireFormat.stat(stat.def, tree);
    stat.publish(tree, message);
    updates.incrementAndGet();
    changedThisRound = true;
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
    private MeterRegistry meters;

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

    /**
     * Registers the source's meters (updates, milestones met, store availability, read latency,
     * tagged with the source's name) in {@code registry}; none by default.
     */
    public Builder meters(MeterRegistry registry) {
      this.meters = Objects.requireNonNull(registry);
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
}
