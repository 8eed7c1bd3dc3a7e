package org.arithmospora.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.arithmospora.loadtest.LoadtestCommand;
import org.arithmospora.redis.RedisTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The load tool against a real server and Redis, with a few clients. */
class LoadtestCommandTest {
  @TempDir Path dir;

  @Test
  void measuresStormsAndLatencyAndFindsNoStaleClients() throws Exception {
    try (RedisTestServer redis = RedisTestServer.start()) {
      int wsPort;
      try (ServerSocket s = new ServerSocket(0)) {
        wsPort = s.getLocalPort();
      }
      Path conf = dir.resolve("loadtest.conf");
      String bench = Files.readString(Path.of("..", "bench", "loadtest.conf"));
      Files.writeString(
          conf,
          bench
              .replace("127.0.0.1:6390", "127.0.0.1:" + redis.port())
              .replace("127.0.0.1:8090", "127.0.0.1:" + wsPort));
      ServeCommand serve = new ServeCommand();
      serve.options = new CommonOptions();
      serve.options.config = conf;
      CompletableFuture<Integer> serving = CompletableFuture.supplyAsync(serve::call);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> serve.running != null && serve.running.server() != null);

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream progress = new ByteArrayOutputStream();
      LoadtestCommand load =
          new LoadtestCommand(
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(progress, true, StandardCharsets.UTF_8));
      int status =
          new CommandLine(load)
              .execute(
                  "--url",
                  "ws://127.0.0.1:" + wsPort + "/loadtest",
                  "--clients",
                  "50",
                  "--threads",
                  "2",
                  "--redis",
                  "127.0.0.1:" + redis.port(),
                  "--db",
                  "1",
                  "--prefix",
                  "loadtest",
                  "--touch",
                  "total,departments",
                  "--population",
                  "fast=60%",
                  "--population",
                  "parse=20%",
                  "--population",
                  "throttle:64k=20%",
                  "--parse-threads",
                  "1",
                  "--settle",
                  "10",
                  "--rate",
                  "10",
                  "--duration",
                  "2",
                  "--timeout",
                  "30",
                  "--reconnect-after",
                  "200",
                  "--max-pending",
                  "20",
                  "--seed",
                  "--json");

      assertThat(status).isZero();
      JsonNode result = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
      assertThat(result.get("clients").asInt()).isEqualTo(50);
      assertThat(result.get("connectStormSeconds").asDouble()).isPositive();
      assertThat(result.get("reconnectStormSeconds").asDouble()).isPositive();
      assertThat(result.get("reconnectAfterMillis").asLong()).isEqualTo(200);
      assertThat(result.get("updates").asLong()).isGreaterThanOrEqualTo(15);
      // Every client heard (nearly) every update; debouncing may merge two close ones.
      assertThat(result.get("latencySamples").asLong()).isGreaterThan(50L * 10);
      assertThat(result.get("latencyP99Ms").asDouble()).isPositive();
      assertThat(result.get("dropped").asInt()).isZero();
      assertThat(result.get("stale").asInt()).isZero();
      assertThat(result.get("messagesPerSecond").asDouble()).isPositive();
      assertThat(progress.toString(StandardCharsets.UTF_8))
          .contains("50/50 connected")
          .contains("throttle:64k age p99");
      JsonNode populations = result.get("populations");
      assertThat(populations)
          .extracting(p -> p.get("population").asText())
          .containsExactly("fast", "parse", "throttle:64k");
      assertThat(populations).extracting(p -> p.get("clients").asInt()).containsExactly(30, 10, 10);
      for (JsonNode p : populations) {
        assertThat(p.get("messagesPerClient").asDouble()).isGreaterThan(10);
        assertThat(p.get("freshnessSamples").asLong()).isGreaterThan(0);
        assertThat(p.get("ageP99Ms").asDouble()).isPositive();
        assertThat(p.get("ageP99BySecondMs").size()).isGreaterThanOrEqualTo(1);
        assertThat(p.get("dropped").asInt()).isZero();
        assertThat(p.get("stale").asInt()).isZero();
      }

      serve.stop.countDown();
      assertThat(serving.get(20, TimeUnit.SECONDS)).isZero();
    }
  }
}
