package org.arithmospora.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.arithmospora.cli.demo.Chromium;
import org.arithmospora.redis.RedisTestServer;
import org.arithmospora.ws.TestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} with a {@code [web]} table, against a real redis-server, through the JDK's HTTP
 * client: readiness follows Redis, and {@code /metrics} parses as Prometheus text with the
 * Prometheus project's own parser (Debian's python3-prometheus-client, which CI installs and
 * requires through ARITHMOSPORA_REQUIRE_PROMETHEUS_PARSER=1; elsewhere the metrics test is skipped
 * without it).
 */
class ServeWebTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  @TempDir Path dir;
  private RedisTestServer redis;
  private Serving serving;
  private int wsPort;
  private int webPort;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() throws Exception {
    redis = RedisTestServer.start();
    redis.writer().hset("e:stats:total:data", Map.of("current", "71", "total", "200"));
    wsPort = Serving.freePort();
    webPort = Serving.freePort();
    Path conf = dir.resolve("arithmospora.conf");
    Files.writeString(
        conf,
        """
        [redis]
        server = "127.0.0.1:%d"
        db = 1
        connect_timeout_ms = 500
        read_timeout_ms = 500
        [http]
        address = "127.0.0.1:%d"
        [web]
        address = "127.0.0.1:%d"
        [debounce]
        min_time_ms = 20
        max_time_ms = 100
        [[sources]]
        name = "election"
        redis_prefix = "e"
          [sources.stats]
          proportion = [ { name = "total" } ]
        """
            .formatted(redis.port(), wsPort, webPort));
    serving = Serving.withWeb(conf);
  }

  @AfterEach
  void tearDown() throws Exception {
    serving.close();
    redis.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readinessTurnsUnreadyWhileRedisIsStoppedAndReadyWhenItIsBack() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/readyz").statusCode() == 200);
    assertThat(get("/healthz").statusCode()).isEqualTo(200);

    redis.stop();
    await().atMost(Duration.ofSeconds(20)).until(() -> get("/readyz").statusCode() == 503);
    JsonNode body = JSON.readTree(get("/readyz").body());
    assertThat(body.get("ready").asBoolean()).isFalse();
    assertThat(body.get("failing").findValuesAsText("component")).contains("redis");
    // Redis down is not a dead server: the load balancer stops sending, nothing restarts it.
    assertThat(get("/healthz").statusCode()).isEqualTo(200);

    redis.restart();
    await().atMost(Duration.ofSeconds(60)).until(() -> get("/readyz").statusCode() == 200);
  }

  @Test
  void serveShowsTheDashboardWithLiveNumbersInABrowser(@TempDir Path profile) throws Exception {
    java.util.Optional<Path> chromium = Chromium.find();
    if ("1".equals(System.getenv("ARITHMOSPORA_REQUIRE_BROWSER"))) {
      assertThat(chromium).as("Chromium (apt-get install chromium) is required here").isPresent();
    }
    Assumptions.assumeTrue(chromium.isPresent(), "no Chromium on this machine");
    try (Chromium browser =
        Chromium.open(chromium.get(), profile, "http://127.0.0.1:" + webPort + "/")) {
      await()
          .atMost(Chromium.timeout())
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  "35.5"
                      .equals(
                          browser.eval("document.getElementById('turnout-percent').textContent")));
      assertThat(browser.eval("document.querySelector('#sources a[aria-current]').textContent"))
          .isEqualTo("election");
      redis.writer().hset("e:stats:total:data", "current", "100");
      redis.writer().publish("e:stats:total:updates", "1");
      await()
          .atMost(Chromium.timeout())
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  "50.0"
                      .equals(
                          browser.eval("document.getElementById('turnout-percent').textContent")));
    }
  }

  @Test
  void metricsParseAsPrometheusTextAndMoveWithClientsAndUpdates() throws Exception {
    boolean parser = parserAvailable();
    if ("1".equals(System.getenv("ARITHMOSPORA_REQUIRE_PROMETHEUS_PARSER"))) {
      assertThat(parser)
          .as(
              "python3-prometheus-client (apt-get install python3-prometheus-client) is required here")
          .isTrue();
    }
    Assumptions.assumeTrue(parser, "no python3-prometheus-client on this machine");

    List<JsonNode> before = scrape();
    assertThat(value(before, "arithmospora_clients", "election")).isEqualTo(0);
    assertThat(before).anyMatch(s -> s.get("name").asText().equals("jvm_memory_used_bytes"));
    assertThat(before).anyMatch(s -> s.get("name").asText().equals("jvm_threads_live_threads"));
    assertThat(before).anyMatch(s -> s.get("name").asText().startsWith("jvm_gc"));
    assertThat(before)
        .anyMatch(s -> s.get("name").asText().equals("arithmospora_source_read_seconds_bucket"));
    assertThat(value(before, "arithmospora_redis_connected", null)).isEqualTo(1);
    assertThat(before)
        .anyMatch(
            x ->
                x.get("name").asText().equals("arithmospora_client_protocol_errors_total")
                    && x.get("labels").path("code").asText().equals("1007"));
    assertThat(value(before, "arithmospora_accepting", null)).isEqualTo(1);
    double refused426 = refused(before, "426");

    // A handshake the RFC refuses (another websocket version) is counted by its status.
    try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), wsPort)) {
      raw.getOutputStream()
          .write(
              ("GET /election HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                      + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      + "Sec-WebSocket-Version: 8\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(raw.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
          .isEqualTo("HTTP/1.1 426");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> refused(scrape(), "426") == refused426 + 1);
    double updates = value(before, "arithmospora_source_updates_total", "election");

    TestClient client = TestClient.connect("ws://127.0.0.1:" + wsPort + "/election");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.messages.size() >= 2);
    redis.writer().hset("e:stats:total:data", "current", "72");
    redis.writer().publish("e:stats:total:updates", "1");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.got("\"current\":72"));

    List<JsonNode> after = scrape();
    assertThat(value(after, "arithmospora_clients", "election")).isEqualTo(1);
    assertThat(value(after, "arithmospora_client_connects_total", "election")).isEqualTo(1);
    assertThat(value(after, "arithmospora_source_updates_total", "election"))
        .isGreaterThan(updates);
    assertThat(value(after, "arithmospora_messages_sent_total", null)).isGreaterThanOrEqualTo(3);
    client.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> value(scrape(), "arithmospora_client_disconnects_total", "election") == 1);
  }

  private static boolean parserAvailable() throws Exception {
    if (!Files.isExecutable(PYTHON)) {
      return false;
    }
    Process p =
        new ProcessBuilder(PYTHON.toString(), "-c", "import prometheus_client.parser")
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  /** Every sample of {@code /metrics}, as the Prometheus client's parser reads them. */
  private List<JsonNode> scrape() throws Exception {
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    Path script = Path.of(ServeWebTest.class.getResource("/parse_prometheus.py").toURI());
    Process p = new ProcessBuilder(PYTHON.toString(), script.toString()).start();
    try (var in = p.getOutputStream()) {
      in.write(r.body().getBytes(StandardCharsets.UTF_8));
    }
    byte[] out;
    try (InputStream o = p.getInputStream()) {
      out = o.readAllBytes();
    }
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("the parser accepts the text: " + err).isZero();
    List<JsonNode> samples = new ArrayList<>();
    for (String line : new String(out, StandardCharsets.UTF_8).lines().toList()) {
      if (!line.isBlank()) {
        samples.add(JSON.readTree(line));
      }
    }
    return samples;
  }

  /** The value of the sample {@code name} (with {@code source} when given); fails if absent. */
  private static double refused(List<JsonNode> samples, String status) {
    return samples.stream()
        .filter(s -> s.get("name").asText().equals("arithmospora_client_handshakes_refused_total"))
        .filter(s -> status.equals(s.get("labels").path("status").asText()))
        .mapToDouble(s -> s.get("value").asDouble())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no handshakes refused with " + status));
  }

  private static double value(List<JsonNode> samples, String name, String source) {
    return samples.stream()
        .filter(s -> s.get("name").asText().equals(name))
        .filter(s -> source == null || source.equals(s.get("labels").path("source").asText()))
        .mapToDouble(s -> s.get("value").asDouble())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + name + " for source " + source));
  }
}
