package org.arithmospora.core;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} with one daemon thread of its own and the system clock. A task that throws is
 * logged and does not stop later tasks. Close it to stop the thread; a task scheduled after that is
 * dropped, as the delayed tasks still waiting are, rather than failing the caller, since a periodic
 * task that reschedules itself cannot know it ran for the last time.
 */
public final class ThreadScheduler implements Scheduler, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ThreadScheduler.class);

  private final ScheduledThreadPoolExecutor executor;
  private final Clock clock;

  /**
   * @param threadName the thread's name, shown in thread dumps and logs
   */
  public ThreadScheduler(String threadName) {
    this(threadName, Clock.systemUTC());
  }

  /** A scheduler whose tasks see {@code clock}; delays still pass in real time. */
  public ThreadScheduler(String threadName, Clock clock) {
    this.clock = clock;
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public void execute(Runnable task) {
    executor.execute(guarded(task));
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    ScheduledFuture<?> f;
    try {
      f = executor.schedule(guarded(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      if (!executor.isShutdown()) {
        throw e;
      }
      return NOTHING_TO_CANCEL;
    }
    return () -> f.cancel(false);
  }

  private static final Cancellable NOTHING_TO_CANCEL = () -> {};

  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable t) {
        log.error("A scheduled task failed; later tasks still run", t);
      }
    };
  }

  /** Stops the thread, waiting up to {@code timeout} for a running task to finish. */
  public void shutdown(Duration timeout) throws InterruptedException {
    executor.shutdownNow();
    executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
