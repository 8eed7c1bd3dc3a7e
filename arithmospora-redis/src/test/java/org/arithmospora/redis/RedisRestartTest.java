package org.arithmospora.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.arithmospora.core.DebounceSettings;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.Stat;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.type.ProportionData;
import org.arithmospora.core.type.SingleValueData;
import org.junit.jupiter.api.Test;

/** Redis stopped and started again under a running source. */
class RedisRestartTest {
  private static final String PREFIX = "e";

  @Test
  void afterARestartEveryStatIsCurrentAgainAndNothingEscapes() throws Exception {
    List<Throwable> escaped = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> escaped.add(e));
    try (RedisTestServer redis = RedisTestServer.start();
        RedisStore store =
            RedisStore.connect(
                redis
                    .settings()
                    .pingInterval(Duration.ofMillis(200))
                    .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(400))
                    .build())) {
      redis.writer().hset(PREFIX + ":stats:total:data", Map.of("current", "10", "total", "100"));
      redis.writer().set(PREFIX + ":stats:votes:data", "10");
      SourceDefinition def =
          SourceDefinition.builder("e")
              .stat("proportion", "total")
              .stat(StatDefinition.of("other", "votes").withDataType("single_value"))
              .build();
      try (LiveSource source =
          LiveSource.builder(def)
              .loader(store.loader(PREFIX))
              .debounce(DebounceSettings.ofMillis(20, 100))
              .build()) {
        source.start();
        await().atMost(Duration.ofSeconds(10)).until(store::isSubscriberConnected);
        assertThat(store.subscriberConnections()).isEqualTo(1);

        redis.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> !store.isSubscriberConnected());
        source.refreshAll(); // fails quietly: the store is down
        assertThat(source.find("proportion", "total").flatMap(Stat::current).orElseThrow().data())
            .isEqualTo(new ProportionData(10, 100));

        redis.restart();
        // A restarted Redis without persistence is empty: the writer fills it again, but its
        // notifications were published before we resubscribed, so only the re-read can catch up.
        redis.writer().hset(PREFIX + ":stats:total:data", Map.of("current", "20", "total", "100"));
        redis.writer().set(PREFIX + ":stats:votes:data", "20");

        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(
                () -> {
                  assertThat(
                          source
                              .find("proportion", "total")
                              .flatMap(Stat::current)
                              .orElseThrow()
                              .data())
                      .isEqualTo(new ProportionData(20, 100));
                  assertThat(
                          source.find("other", "votes").flatMap(Stat::current).orElseThrow().data())
                      .isEqualTo(new SingleValueData(20));
                });
        assertThat(store.subscriberConnections()).isGreaterThanOrEqualTo(2);

        // Live updates flow again.
        redis.writer().set(PREFIX + ":stats:votes:data", "21");
        redis.writer().publish(PREFIX + ":stats:votes:updates", "1");
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(
                            source
                                .find("other", "votes")
                                .flatMap(Stat::current)
                                .orElseThrow()
                                .data())
                        .isEqualTo(new SingleValueData(21)));
      }
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previous);
    }
    assertThat(escaped).isEmpty();
  }
}
