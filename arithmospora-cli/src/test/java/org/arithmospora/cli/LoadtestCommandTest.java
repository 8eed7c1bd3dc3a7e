package org.arithmospora.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.arithmospora.redis.RedisTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
          .until(() -> serve.running != null && serve.running.server != null);

      LoadtestCommand load = new LoadtestCommand();
      load.url = URI.create("ws://127.0.0.1:" + wsPort + "/loadtest");
      load.clients = 50;
      load.threads = 2;
      load.redis = "127.0.0.1:" + redis.port();
      load.db = 1;
      load.prefix = "loadtest";
      load.touch = List.of("total", "departments");
      load.populationSpecs = List.of("fast=60%", "parse=20%", "throttle:64k=20%");
      load.parseThreads = 1;
      load.settle = 10;
      load.rate = 10;
      load.duration = 2;
      load.timeout = 30;
      load.reconnectAfterMillis = 200;
      load.maxPending = 20;
      load.seed = true;
      load.json = true;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      load.out = new PrintStream(out, true, StandardCharsets.UTF_8);
      ByteArrayOutputStream progress = new ByteArrayOutputStream();
      load.progress = new PrintStream(progress, true, StandardCharsets.UTF_8);

      assertThat(load.call()).isZero();
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
