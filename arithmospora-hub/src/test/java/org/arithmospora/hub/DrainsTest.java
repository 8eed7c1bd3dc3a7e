package org.arithmospora.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Closing clients spread over a time: every one, whatever one of them throws. */
class DrainsTest {
  @Test
  void everyClientIsClosedOnceEvenWhenOneIsGoneAlready() {
    List<Integer> clients = List.of(1, 2, 3, 4, 5);
    List<Integer> closed = new ArrayList<>();
    int n =
        Drains.spread(
            clients,
            Duration.ofMillis(20),
            c -> {
              if (c == 3) {
                throw new IllegalStateException("already gone");
              }
              closed.add(c);
            });
    assertThat(n).isEqualTo(4);
    assertThat(closed).containsExactlyInAnyOrder(1, 2, 4, 5);
  }

  @Test
  void anInterruptedDrainStopsAndKeepsTheInterrupt() {
    List<Integer> closed = new ArrayList<>();
    Thread.currentThread().interrupt();
    try {
      Drains.spread(List.of(1, 2, 3), Duration.ofSeconds(60), closed::add);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(closed).as("the first is due at once; the second would wait").hasSize(1);
  }
}
