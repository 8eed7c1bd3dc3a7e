package org.arithmospora.cli;

import static org.arithmospora.cli.OneRedisServers.HELLO;
import static org.arithmospora.cli.OneRedisServers.SUBSCRIBE_ALL;
import static org.arithmospora.cli.OneRedisServers.freePort;
import static org.arithmospora.cli.OneRedisServers.resume;
import static org.arithmospora.cli.OneRedisServers.seed;
import static org.arithmospora.cli.OneRedisServers.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.arithmospora.cli.OneRedisServers.Client;
import org.arithmospora.config.Assembly;
import org.arithmospora.core.type.ProportionData;
import org.arithmospora.redis.RedisTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protocol 2's resume across servers: two servers on one real Redis, a client that read from one
 * resumes on the other and gets only the stat that changed, as a delta, because versions are made
 * from the data and both servers read the same data.
 */
class ResumeAcrossServersTest {
  @TempDir Path dir;

  @Test
  void aClientThatResumesOnTheOtherServerGetsOnlyWhatChanged() throws Exception {
    try (RedisTestServer redis = RedisTestServer.start()) {
      seed(redis);
      int portA = freePort();
      int portB = freePort();
      try (Assembly a = start(dir, redis, portA);
          Assembly b = start(dir, redis, portB)) {
        Client first = Client.connect(a.server().port(), HELLO, SUBSCRIBE_ALL);
        await().atMost(Duration.ofSeconds(20)).until(() -> first.versions().size() == 2);
        Map<String, String> versions = first.versions();
        String resume = resume(first);
        first.socket.abort();

        // While the client is away, the halls change; both servers hear of it.
        redis.writer().hset("e:stats:halls:data", "current", "4");
        redis.writer().publish("e:stats:halls:updates", "1");
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    b.sources()
                        .get(0)
                        .find("proportion", "halls")
                        .orElseThrow()
                        .current()
                        .map(t -> t.data().equals(new ProportionData(4, 40)))
                        .orElse(false));

        Client back = Client.connect(portB, HELLO, resume, SUBSCRIBE_ALL);
        await().atMost(Duration.ofSeconds(20)).until(() -> !back.stats().isEmpty());
        // Time for anything else to come, were it sent.
        Thread.sleep(500);
        // Versioned: protocol 2's (protocol 1's snapshot may come first on a busy machine).
        assertThat(back.stats().stream().filter(m -> m.has("version")).toList())
            .singleElement()
            .satisfies(
                m -> {
                  assertThat(m.get("event").asText()).isEqualTo("stats:proportion:halls");
                  // A delta against the version read from server A: B read that version too.
                  assertThat(m.get("base").asText()).isEqualTo(versions.get("proportion:halls"));
                  assertThat(m.get("payload").get("data").get("current").asLong()).isEqualTo(4);
                });

        // Without resume, every stat comes whole.
        Client fresh = Client.connect(portB, HELLO, SUBSCRIBE_ALL);
        await().atMost(Duration.ofSeconds(20)).until(() -> fresh.stats().size() >= 2);
        assertThat(fresh.stats()).allSatisfy(m -> assertThat(m.has("base")).isFalse());
        back.socket.abort();
        fresh.socket.abort();
      }
    }
  }
}
