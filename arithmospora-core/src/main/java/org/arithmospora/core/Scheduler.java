package org.arithmospora.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

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

  /**
   * Runs {@code task} as {@link #execute} does and waits for its result, at most {@code timeout}.
   * Never call it from a task of this scheduler: it would wait for itself.
   *
   * @throws ExecutionException when the task threw (its exception is the cause)
   * @throws TimeoutException when the task had not run within {@code timeout}
   * @throws InterruptedException when the waiting thread was interrupted
   */
  default <T> T callAndWait(Supplier<T> task, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    CompletableFuture<T> result = new CompletableFuture<>();
    execute(
        () -> {
          try {
            result.complete(task.get());
          } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
          }
        });
    return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** A scheduled task that may be called off. */
  @FunctionalInterface
  interface Cancellable {
    /** Stops the task from running if it has not started; does nothing otherwise. */
    void cancel();
  }
}
