package org.arithmospora.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@link Scheduler#callAndWait}: the one way to run something on a source's or hub's thread and
 * wait.
 */
class SchedulerCallAndWaitTest {
  @Test
  void returnsWhatTheTaskReturnsFromTheSchedulersThread() throws Exception {
    try (ThreadScheduler s = new ThreadScheduler("call-test")) {
      String thread = s.callAndWait(() -> Thread.currentThread().getName(), Duration.ofSeconds(10));
      assertThat(thread).isNotEqualTo(Thread.currentThread().getName());
    }
  }

  @Test
  void aFailingTaskFailsTheCallWithItsException() {
    try (ThreadScheduler s = new ThreadScheduler("call-test")) {
      assertThatThrownBy(
              () ->
                  s.callAndWait(
                      () -> {
                        throw new IllegalStateException("bad data");
                      },
                      Duration.ofSeconds(10)))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasRootCauseMessage("bad data");
    }
  }

  @Test
  void aBusySchedulerTimesTheCallOut() throws Exception {
    try (ThreadScheduler s = new ThreadScheduler("call-test")) {
      CountDownLatch release = new CountDownLatch(1);
      s.execute(
          () -> {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      assertThatThrownBy(() -> s.callAndWait(() -> "never in time", Duration.ofMillis(50)))
          .isInstanceOf(TimeoutException.class);
      release.countDown();
      assertThat(s.callAndWait(() -> "after", Duration.ofSeconds(10))).isEqualTo("after");
    }
  }
}
