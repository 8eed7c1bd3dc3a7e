package org.arithmospora.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.arithmospora.config.Assembly;
import org.arithmospora.config.ConfigLoader;
import org.arithmospora.redis.RedisTestServer;

/**
 * For tests of several servers on one real Redis: a server of a two-stat election ({@code
 * proportion:total} and {@code proportion:halls} under prefix {@code e}), and a protocol-2 client.
 */
final class OneRedisServers {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String HELLO = "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}";
  static final String SUBSCRIBE_ALL = "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"*\"]}}";

  private OneRedisServers() {}

  /** The election's data: 10 of 100 in total, 3 of 40 in the halls. */
  static void seed(RedisTestServer redis) {
    redis.writer().hset("e:stats:total:data", Map.of("current", "10", "total", "100"));
    redis.writer().hset("e:stats:halls:data", Map.of("current", "3", "total", "40"));
  }

  /** A server of the election on {@code port}, its sources started. */
  static Assembly start(Path dir, RedisTestServer redis, int port) throws Exception {
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
    Assembly a =
        Assembly.of(new ConfigLoader().parse(dir.resolve("server-" + port + ".conf"), text));
    a.startSources();
    a.startServer();
    return a;
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** {@code resume} with the versions {@code client} holds. */
  static String resume(Client client) throws Exception {
    return "{\"event\":\"resume\",\"payload\":{\"versions\":"
        + JSON.writeValueAsString(client.versions())
        + "}}";
  }

  /** A client on the JDK's websocket: what it received (a batch's parts apart), and its close. */
  static final class Client implements WebSocket.Listener {
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    /** Connects to the election on {@code port} and sends {@code first}, in order. */
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

    /** The stat messages received. */
    List<JsonNode> stats() {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode m : received) {
        if (m.path("event").asText().startsWith("stats:")) {
          out.add(m);
        }
      }
      return out;
    }

    /**
     * The versions it holds, by stat name (group:key): of protocol-2 messages only, since protocol
     * 1's snapshot may come first on a busy machine.
     */
    Map<String, String> versions() {
      Map<String, String> v = new LinkedHashMap<>();
      for (JsonNode m : stats()) {
        if (m.has("version")) {
          v.put(m.get("event").asText().substring(6), m.get("version").asText());
        }
      }
      return v;
    }
  }
}
