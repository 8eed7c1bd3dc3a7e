package org.arithmospora.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadPopulationTest {
  @Test
  void readsEveryKindWithCountsOrShares() {
    assertThat(LoadPopulation.parse("fast=40%", 5000))
        .extracting(LoadPopulation::kind, LoadPopulation::count)
        .containsExactly(LoadPopulation.Kind.FAST, 2000);
    LoadPopulation t = LoadPopulation.parse("throttle:16k:4k=10", 5000);
    assertThat(t.kind()).isEqualTo(LoadPopulation.Kind.THROTTLE);
    assertThat(t.count()).isEqualTo(10);
    assertThat(t.bytesPerSecond()).isEqualTo(16 * 1024);
    assertThat(t.receiveBuffer()).isEqualTo(4096);
    assertThat(t.label()).isEqualTo("throttle:16k:4k");
    assertThat(LoadPopulation.parse("throttle:20000=1", 1).receiveBuffer()).isEqualTo(8192);
    LoadPopulation s = LoadPopulation.parse("stall:5/15=10%", 1000);
    assertThat(s.stall()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.every()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.count()).isEqualTo(100);
    assertThat(LoadPopulation.parse("parse:20=3", 0).workPerMessage())
        .isEqualTo(Duration.ofNanos(20_000));
    assertThat(LoadPopulation.parse("parse=3", 0).workPerMessage()).isZero();
    LoadPopulation p2 = LoadPopulation.parse("p2-throttle:16k=5", 0);
    assertThat(p2.protocol2()).isTrue();
    assertThat(p2.kind()).isEqualTo(LoadPopulation.Kind.THROTTLE);
    assertThat(p2.label()).isEqualTo("p2-throttle:16k");
    assertThat(LoadPopulation.parse("fast=1", 0).protocol2()).isFalse();
    assertThatThrownBy(() -> LoadPopulation.parse("p2-sse-fast=1", 1))
        .hasMessageContaining("protocol 2 is for websocket clients");
  }

  @Test
  void badSpecsAreNamedWithWhatIsWrong() {
    assertThatThrownBy(() -> LoadPopulation.parse("fast", 10))
        .hasMessageContaining("'fast'")
        .hasMessageContaining("KIND[:ARGS]=COUNT");
    assertThatThrownBy(() -> LoadPopulation.parse("slow=10", 10))
        .hasMessageContaining("unknown kind 'slow'")
        .hasMessageContaining("fast, throttle, stall, parse");
    assertThatThrownBy(() -> LoadPopulation.parse("throttle=10", 10))
        .hasMessageContaining("throttle:RATE");
    assertThatThrownBy(() -> LoadPopulation.parse("throttle:fast=10", 10))
        .hasMessageContaining("'fast' is not a positive size");
    assertThatThrownBy(() -> LoadPopulation.parse("stall:15/5=10", 10))
        .hasMessageContaining("shorter than its period");
    assertThatThrownBy(() -> LoadPopulation.parse("stall:5=10", 10))
        .hasMessageContaining("stall:SECONDS/EVERY_SECONDS");
    assertThatThrownBy(() -> LoadPopulation.parse("fast=0", 10))
        .hasMessageContaining("must be positive");
    assertThatThrownBy(() -> LoadPopulation.parse("fast=150%", 10))
        .hasMessageContaining("at most 100 %");
    assertThatThrownBy(() -> LoadPopulation.parse("fast=many", 10))
        .hasMessageContaining("'many' is not a count");
  }
}
