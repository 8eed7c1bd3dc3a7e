package org.arithmospora.core;

import java.time.Duration;
import java.time.Instant;

/**
 * The three timers of a source, on its scheduler: the periodic full re-read, the retry after a
 * store outage (with backoff), and the next moment a timed window moves. Each has at most one
 * pending task; {@link #cancelAll()} ends them for good. Scheduler thread only.
 */
final class SourceTimers {
  private final Scheduler scheduler;
  private final Backoff retries;
  private Scheduler.Cancellable refresh;
  private Scheduler.Cancellable retry;
  private Scheduler.Cancellable timeChange;
  private boolean cancelled;

  SourceTimers(Scheduler scheduler, Backoff retries) {
    this.scheduler = scheduler;
    this.retries = retries;
  }

  /** Runs {@code task} every {@code period}, the first time one period from now. */
  void every(Duration period, Runnable task) {
    if (cancelled) {
      return;
    }
    refresh =
        scheduler.schedule(
            period,
            () -> {
              if (!cancelled) {
                task.run();
                every(period, task);
              }
            });
  }

  /**
   * Runs {@code task} after the next wait of the backoff, unless a retry is already pending: the
   * store is down, and each failed attempt waits longer.
   */
  void retry(Runnable task) {
    if (retry != null || cancelled) {
      return;
    }
    retry =
        scheduler.schedule(
            retries.next(),
            () -> {
              retry = null;
              task.run();
            });
  }

  /** The store answered: the next outage starts from the shortest wait again. */
  void storeAnswered() {
    retries.reset();
  }

  /**
   * Runs {@code task} at {@code when} (or nothing, when null), in place of any time change planned
   * before.
   */
  void at(Instant when, Runnable task) {
    if (timeChange != null) {
      timeChange.cancel();
      timeChange = null;
    }
    if (when == null || cancelled) {
      return;
    }
    timeChange =
        scheduler.schedule(
            Duration.between(scheduler.now(), when),
            () -> {
              timeChange = null;
              task.run();
            });
  }

  /** Cancels every pending task; later requests are ignored. */
  void cancelAll() {
    cancelled = true;
    for (Scheduler.Cancellable c : new Scheduler.Cancellable[] {refresh, retry, timeChange}) {
      if (c != null) {
        c.cancel();
      }
    }
  }
}
