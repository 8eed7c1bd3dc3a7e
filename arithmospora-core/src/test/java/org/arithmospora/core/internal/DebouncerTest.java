package org.arithmospora.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.arithmospora.core.DebounceSettings;
import org.arithmospora.core.ManualScheduler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Debounce timelines on a virtual clock: min quiet 200 ms, max wait 1000 ms. */
class DebouncerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private ManualScheduler scheduler;
  private List<String> fired;
  private Debouncer<String> debouncer;

  @BeforeEach
  void setUp() {
    scheduler = new ManualScheduler(T0);
    fired = new ArrayList<>();
    debouncer =
        new Debouncer<>(
            scheduler,
            DebounceSettings.ofMillis(200, 1000),
            key -> fired.add(key + "@" + Duration.between(T0, scheduler.now()).toMillis()));
  }

  private void at(long millis) {
    scheduler.advanceTo(T0.plusMillis(millis));
  }

  @Test
  void oneNotificationFiresAfterTheQuietTime() {
    debouncer.notify("a");
    at(199);
    assertThat(fired).isEmpty();
    at(200);
    assertThat(fired).containsExactly("a@200");
  }

  @Test
  void eachNotificationRestartsTheQuietTime() {
    debouncer.notify("a");
    at(100);
    debouncer.notify("a");
    at(250);
    assertThat(fired).isEmpty();
    at(300);
    assertThat(fired).containsExactly("a@300");
  }

  @Test
  void aSteadyStreamFiresNoLaterThanTheMaxWait() {
    for (int t = 0; t <= 2500; t += 100) {
      at(t);
      debouncer.notify("a");
    }
    at(3000);
    // Bursts start at 0, 1000 and 2000 (the notification at the instant a burst fires opens the
    // next); each is cut off at max wait, and the last settles 200 ms after the final one at 2500.
    assertThat(fired).containsExactly("a@1000", "a@2000", "a@2700");
  }

  @Test
  void keysAreDebouncedIndependently() {
    debouncer.notify("a");
    at(150);
    debouncer.notify("b");
    at(200);
    assertThat(fired).containsExactly("a@200");
    at(350);
    assertThat(fired).containsExactly("a@200", "b@350");
  }

  @Test
  void aBurstCostsOneScheduledTaskHoweverManyNotifications() {
    for (int i = 0; i < 1000; i++) {
      debouncer.notify("a");
    }
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
    assertThat(debouncer.isPending("a")).isTrue();
    at(200);
    assertThat(fired).containsExactly("a@200");
    assertThat(debouncer.isPending("a")).isFalse();
  }

  @Test
  void cancelAllDropsWaitingBursts() {
    debouncer.notify("a");
    debouncer.cancelAll();
    at(2000);
    assertThat(fired).isEmpty();
  }

  @Test
  void zeroQuietTimeFiresOnTheNextTick() {
    Debouncer<String> eager =
        new Debouncer<>(scheduler, DebounceSettings.ofMillis(0, 0), fired::add);
    eager.notify("x");
    assertThat(fired).isEmpty();
    scheduler.runDue();
    assertThat(fired).containsExactly("x");
  }
}
