package org.arithmospora.cli;

import static org.arithmospora.cli.OneRedisServers.HELLO;
import static org.arithmospora.cli.OneRedisServers.SUBSCRIBE_ALL;
import static org.arithmospora.cli.OneRedisServers.freePort;
import static org.arithmospora.cli.OneRedisServers.resume;
import static org.arithmospora.cli.OneRedisServers.seed;
import static org.arithmospora.cli.OneRedisServers.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.arithmospora.cli.OneRedisServers.Client;
import org.arithmospora.config.Assembly;
import org.arithmospora.redis.RedisTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful drain: two servers on one real Redis; the first drains, its clients are closed with 1012
 * and refused there, readiness says so, and a client moved to the second by the drain ends up with
 * the newest state.
 */
class DrainTest {
  @TempDir Path dir;

  @Test
  void aDrainedClientMovesToTheOtherServerAndEndsWithTheNewestState() throws Exception {
    try (RedisTestServer redis = RedisTestServer.start()) {
      seed(redis);
      int portA = freePort();
      int portB = freePort();
      try (Assembly a = start(dir, redis, portA);
          Assembly b = start(dir, redis, portB)) {
        List<Client> onA = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) {
          onA.add(Client.connect(portA, HELLO, SUBSCRIBE_ALL));
        }
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> onA.stream().allMatch(c -> c.versions().size() == 2));
        assertThat(a.readiness()).isEmpty();

        CompletableFuture<Void> draining =
            CompletableFuture.runAsync(() -> a.server().drain(Duration.ofMillis(800)));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.server().isDraining());
        // Unready at once, so that the load balancer sends no one here; new clients are refused.
        assertThat(a.readiness()).anySatisfy(n -> assertThat(n.reason()).contains("draining"));
        assertThat(b.readiness()).isEmpty();
        try {
          Client.connect(portA);
          throw new AssertionError("a draining server accepted a new client");
        } catch (CompletionException e) {
          assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
          assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
              .isEqualTo(503);
        }
        draining.get(10, TimeUnit.SECONDS);
        for (Client c : onA) {
          assertThat(c.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1012);
        }

        // While it moves, the halls change; it comes back on the other server, resuming.
        redis.writer().hset("e:stats:halls:data", "current", "9");
        redis.writer().publish("e:stats:halls:updates", "1");
        Client moved = onA.get(0);
        Client back = Client.connect(portB, HELLO, resume(moved), SUBSCRIBE_ALL);
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    back.received.stream()
                        .anyMatch(
                            m ->
                                m.path("event").asText().equals("stats:proportion:halls")
                                    && m.path("payload").path("data").path("current").asLong()
                                        == 9));
        back.socket.abort();
      }
    }
  }
}
