package org.arithmospora.core.internal;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.arithmospora.core.DebounceSettings;
import org.arithmospora.core.Scheduler;

/**
 * Gathers bursts of notifications per key into one action (SPEC §4): the action for a key runs
 * {@link DebounceSettings#minQuiet()} after its last notification, and never later than {@link
 * DebounceSettings#maxWait()} after the first notification since its last run.
 *
 * <p>A burst costs one scheduled task per key, however many notifications it holds: the task
 * re-arms itself for the new due time instead of being replaced on every notification. Thread-safe;
 * the action runs on the scheduler.
 *
 * @param <K> the key type, e.g. a stat
 */
public final class Debouncer<K> {
  private final Scheduler scheduler;
  private final DebounceSettings settings;
  private final Consumer<K> action;
  private final Map<K, Burst> bursts = new HashMap<>();

  /**
   * @param scheduler runs the action and measures time
   * @param settings quiet time and longest wait
   * @param action what to do for a key once its burst settles
   */
  public Debouncer(Scheduler scheduler, DebounceSettings settings, Consumer<K> action) {
    this.scheduler = Objects.requireNonNull(scheduler);
    this.settings = Objects.requireNonNull(settings);
    this.action = Objects.requireNonNull(action);
  }

  /** Records a notification for {@code key}. */
  public void notify(K key) {
    Instant now = scheduler.now();
    synchronized (bursts) {
      Burst burst = bursts.get(key);
      if (burst != null) {
        burst.last = now;
        return;
      }
      burst = new Burst(now);
      bursts.put(key, burst);
      Burst armed = burst;
      burst.task = scheduler.schedule(settings.minQuiet(), () -> check(key, armed));
    }
  }

  /** Whether a burst is waiting for {@code key}. */
  public boolean isPending(K key) {
    synchronized (bursts) {
      return bursts.containsKey(key);
    }
  }

  /** Drops every waiting burst without running its action. */
  public void cancelAll() {
    synchronized (bursts) {
      bursts.values().forEach(b -> b.task.cancel());
      bursts.clear();
    }
  }

  private void check(K key, Burst burst) {
    Instant now = scheduler.now();
    synchronized (bursts) {
      if (bursts.get(key) != burst) {
        return;
      }
      Instant due = burst.due(settings);
      if (now.isBefore(due)) {
        burst.task =
            scheduler.schedule(java.time.Duration.between(now, due), () -> check(key, burst));
        return;
      }
      bursts.remove(key);
    }
    action.accept(key);
  }

  private static final class Burst {
    final Instant first;
    Instant last;
    Scheduler.Cancellable task;

    Burst(Instant first) {
      this.first = first;
      this.last = first;
    }

    Instant due(DebounceSettings s) {
      Instant quiet = last.plus(s.minQuiet());
      Instant limit = first.plus(s.maxWait());
      return quiet.isBefore(limit) ? quiet : limit;
    }
  }
}
