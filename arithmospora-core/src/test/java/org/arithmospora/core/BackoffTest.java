package org.arithmospora.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void waitsDoubleUpToTheLongestAndStartAgainAfterASuccess() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      waits.add(b.next());
    }
    assertThat(waits)
        .extracting(Duration::toSeconds)
        .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
    b.reset();
    assertThat(b.next()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aLongestWaitEqualToTheFirstStaysThere() {
    Backoff b = new Backoff(Duration.ofMillis(250), Duration.ofMillis(250));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(250));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void impossibleBoundsAreNamed() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected 0 < first <= longest");
  }
}
