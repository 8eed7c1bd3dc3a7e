package org.arithmospora.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link ThreadScheduler} at shutdown: a periodic task that reschedules itself ends quietly. */
class ThreadSchedulerTest {
  @Test
  void aTaskThatReschedulesItselfWhileTheSchedulerStopsEndsWithoutAnError() throws Exception {
    ThreadScheduler s = new ThreadScheduler("reschedule-test");
    CountDownLatch running = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    s.execute(
        () -> {
          running.countDown();
          try {
            // Runs until the scheduler stops: shutdownNow interrupts it once no task may start.
            Thread.sleep(Long.MAX_VALUE);
          } catch (InterruptedException e) {
            // The hub's tick reschedules itself in a finally block, as this does.
          }
          try {
            s.schedule(Duration.ofMillis(1), () -> {}).cancel();
          } catch (RuntimeException e) {
            failure.set(e);
          }
        });
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    Thread closer =
        new Thread(
            () -> {
              try {
                s.shutdown(Duration.ofSeconds(10));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    closer.start();
    closer.join(10_000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(failure.get()).isNull();
  }

  @Test
  void aTaskScheduledAfterCloseNeverRuns() throws Exception {
    ThreadScheduler s = new ThreadScheduler("closed-test");
    s.close();
    AtomicBoolean ran = new AtomicBoolean();
    assertThatCode(() -> s.schedule(Duration.ZERO, () -> ran.set(true)).cancel())
        .doesNotThrowAnyException();
    Thread.sleep(50);
    assertThat(ran).isFalse();
  }
}
