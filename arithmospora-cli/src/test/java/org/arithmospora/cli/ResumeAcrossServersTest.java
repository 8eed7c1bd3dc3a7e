package org.arithmospora.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.arithmospora.config.Assembly;
import org.arithmospora.config.Config;
import org.arithmospora.config.ConfigLoader;
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
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  /** A protocol-2 client on the JDK's websocket: what it received, each message parsed. */
  private static final class Client implements WebSocket.Listener {
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    static Client connect(int port, String... first) {
      Client c = new Client();
      c.socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create("ws://127.0.0.1:" + port + "/election"), c)
              .join();
      for (String m : first) {
        c.socket.sendText(m, true).join();
      }
      return c;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode m = JSON.readTree(partial.toString());
          if (m.path("event").asText().equals("batch")) {
            m.get("payload").forEach(received::add);
          } else {
            received.add(m);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    List<JsonNode> stats() {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode m : received) {
        if (m.path("event").asText().startsWith("stats:")) {
          out.add(m);
        }
      }
      return out;
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Config config(RedisTestServer redis, int port) throws Exception {
    String text =
        String.join(
            "\n",
            "[redis]",
            "server = \"127.0.0.1:" + redis.port() + "\"",
            "db = 1",
            "[http]",
            "address = \"127.0.0.1:" + port + "\"",
            "[debounce]",
            "min_time_ms = 10",
            "max_time_ms = 50",
            "[[sources]]",
            "name = \"election\"",
            "redis_prefix = \"e\"",
            "  [sources.stats]",
            "  proportion = [ { name = \"total\" }, { name = \"halls\" } ]",
            "");
    return new ConfigLoader().parse(dir.resolve("server-" + port + ".conf"), text);
  }

  @Test
  void aClientThatResumesOnTheOtherServerGetsOnlyWhatChanged() throws Exception {
    try (RedisTestServer redis = RedisTestServer.start()) {
      redis.writer().hset("e:stats:total:data", Map.of("current", "10", "total", "100"));
      redis.writer().hset("e:stats:halls:data", Map.of("current", "3", "total", "40"));
      int portA = freePort();
      int portB = freePort();
      try (Assembly a = Assembly.of(config(redis, portA));
          Assembly b = Assembly.of(config(redis, portB))) {
        a.startSources();
        a.startServer();
        b.startSources();
        b.startServer();
        String hello = "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}";
        String all = "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"*\"]}}";
        Client first = Client.connect(portA, hello, all);
        Map<String, String> versions = new LinkedHashMap<>();
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> {
                  // Protocol 1's snapshot may come first on a busy machine: only versioned ones.
                  for (JsonNode m : first.stats()) {
                    if (m.has("version")) {
                      versions.put(m.get("event").asText().substring(6), m.get("version").asText());
                    }
                  }
                  return versions.size() == 2;
                });
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

        String resume =
            "{\"event\":\"resume\",\"payload\":{\"versions\":"
                + JSON.writeValueAsString(versions)
                + "}}";
        Client back = Client.connect(portB, hello, resume, all);
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
        Client fresh = Client.connect(portB, hello, all);
        await().atMost(Duration.ofSeconds(20)).until(() -> fresh.stats().size() >= 2);
        assertThat(fresh.stats()).allSatisfy(m -> assertThat(m.has("base")).isFalse());
        back.socket.abort();
        fresh.socket.abort();
      }
    }
  }
}
