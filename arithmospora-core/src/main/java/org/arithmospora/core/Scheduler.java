package org.arithmospora.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;

/**
 * Time and task execution for the parts of core that wait: the debouncer, periodic re-reads, moving
 * timed windows. Tasks given to one scheduler run one at a time, in order, so state touched only
 * from its tasks needs no locks.
 *
 * <p>{@link ThreadScheduler} runs tasks on a thread of its own; {@link ManualScheduler} runs them
 * when a test advances its virtual clock.
 */
public interface Scheduler extends Executor {

  /** The clock tasks see; scheduled delays are measured on it. */
  Clock clock();

  /** The present moment on {@link #clock()}. */
  default Instant now() {
    return clock().instant();
  }

  /** Runs {@code task} as soon as possible, after the tasks already due. */
  @Override
  void execute(Runnable task);

  /** Runs {@code task} once, {@code delay} from now. */
  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduled task that may be called off. */
  @FunctionalInterface
  interface Cancellable {
    /** Stops the task from running if it has not started; does nothing otherwise. */
    void cancel();
  }
}
