package org.arithmospora.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.arithmospora.redis.RedisTestServer;
import org.arithmospora.ws.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arithmospora drain}: a server started by {@code serve} is asked over its HTTP side to
 * drain, without a signal. Its websocket client is closed with 1012 and its event stream ended, new
 * ones of both are refused with 503, {@code /readyz} turns 503, and the process keeps running until
 * it is stopped.
 */
class DrainCommandTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(int port, String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static CliRun drain(Path conf) {
    DrainCommand command = new DrainCommand();
    command.options = new CommonOptions();
    command.options.config = conf;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    command.printTo(
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    int status = command.call();
    return new CliRun(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private record CliRun(int status, String out, String err) {}

  @Test
  void theDrainCommandDrainsARunningServerWhichKeepsRunning() throws Exception {
    try (RedisTestServer redis = RedisTestServer.start()) {
      redis.writer().hset("e:stats:total:data", Map.of("current", "71", "total", "200"));
      int wsPort = Serving.freePort();
      int webPort = Serving.freePort();
      Path conf = dir.resolve("arithmospora.conf");
      Files.writeString(
          conf,
          """
          [redis]
          server = "127.0.0.1:%d"
          db = 1
          [http]
          address = "127.0.0.1:%d"
          [web]
          address = "127.0.0.1:%d"
          [websocket]
          drain_time_ms = 200
          [[sources]]
          name = "election"
          redis_prefix = "e"
          is_live = true
            [sources.stats]
            proportion = [ { name = "total" } ]
          """
              .formatted(redis.port(), wsPort, webPort));
      try (Serving serving = Serving.withWeb(conf);
          TestClient client = TestClient.connect("ws://127.0.0.1:" + wsPort + "/election")) {
        assertThat(client.messages.poll(10, TimeUnit.SECONDS)).contains("available");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> send(webPort, "GET", "/readyz").statusCode() == 200);
        assertThat(send(webPort, "GET", "/drain").statusCode()).isEqualTo(405);
        HttpResponse<java.io.InputStream> stream =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + webPort + "/sources/election/events"))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        // Read to its end on a thread of its own: the drain ends it.
        java.util.concurrent.CompletableFuture<byte[]> streamEnd =
            java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                  ByteArrayOutputStream got = new ByteArrayOutputStream();
                  try (java.io.InputStream in = stream.body()) {
                    in.transferTo(got);
                  } catch (java.io.IOException e) {
                    got.writeBytes(("\n(ended by " + e + ")").getBytes(StandardCharsets.UTF_8));
                  }
                  return got.toByteArray();
                });

        CliRun first = drain(conf);
        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.out()).contains("/drain: draining");
        assertThat(client.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1012);
        assertThat(send(webPort, "GET", "/readyz").statusCode()).isEqualTo(503);
        assertThat(new String(streamEnd.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8))
            .as("the event stream, ended in order by the drain")
            .contains("event: available")
            .doesNotContain("(ended by");
        HttpResponse<String> late = send(webPort, "GET", "/sources/election/events");
        assertThat(late.statusCode()).isEqualTo(503);
        assertThat(late.headers().firstValue("Retry-After")).contains("1");
        assertThatThrownBy(() -> TestClient.connect("ws://127.0.0.1:" + wsPort + "/election"))
            .isInstanceOf(CompletionException.class)
            .cause()
            .isInstanceOfSatisfying(
                WebSocketHandshakeException.class,
                e -> assertThat(e.getResponse().statusCode()).isEqualTo(503));
        CliRun again = drain(conf);
        assertThat(again.status()).isZero();
        assertThat(again.out()).contains("already draining");
        // Still running: it answers, and stops when told.
        assertThat(send(webPort, "GET", "/healthz").statusCode()).isEqualTo(200);
        assertThat(serving.serve.running).isNotNull();
      }
      assertThat(drain(conf).err()).contains("cannot reach the server");
    }
  }
}
