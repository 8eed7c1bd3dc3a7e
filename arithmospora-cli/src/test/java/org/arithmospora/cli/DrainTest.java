package org.arithmospora.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.arithmospora.config.Assembly;
import org.arithmospora.config.ConfigLoader;
import org.arithmospora.redis.RedisTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful drain: two servers on one real Redis; the first drains, its clients are closed with 1012
 * and refused there, readiness says so, and a client moved to the second by the drain ends up with
 * the newest state.
 */
class DrainTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private static final class Client implements WebSocket.Listener {
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
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

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closeCode.complete(statusCode);
      return null;
    }

    /** The versions it holds, by stat name (group:key): of protocol-2 messages. */
    Map<String, String> versions() {
      Map<String, String> v = new LinkedHashMap<>();
      for (JsonNode m : received) {
        if (m.path("event").asText().startsWith("stats:") && m.has("version")) {
          v.put(m.get("event").asText().substring(6), m.get("version").asText());
        }
      }
      return v;
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Assembly server(RedisTestServer redis, int port) throws Exception {
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
    Assembly a = Assembly.of(new ConfigLoader().parse(dir.resolve(port + ".conf"), text));
    a.startSources();
    a.startServer();
    return a;
  }

  @Test
  void aDrainedClientMovesToTheOtherServerAndEndsWithTheNewestState() throws Exception {
    try (RedisTestServer redis = RedisTestServer.start()) {
      redis.writer().hset("e:stats:total:data", Map.of("current", "10", "total", "100"));
      redis.writer().hset("e:stats:halls:data", Map.of("current", "3", "total", "40"));
      int portA = freePort();
      int portB = freePort();
      try (Assembly a = server(redis, portA);
          Assembly b = server(redis, portB)) {
        String hello = "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}";
        String all = "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"*\"]}}";
        List<Client> onA = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) {
          onA.add(Client.connect(portA, hello, all));
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
        String resume =
            "{\"event\":\"resume\",\"payload\":{\"versions\":"
                + JSON.writeValueAsString(moved.versions())
                + "}}";
        Client back = Client.connect(portB, hello, resume, all);
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
