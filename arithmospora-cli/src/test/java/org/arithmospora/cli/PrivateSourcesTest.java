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
import org.arithmospora.cli.demo.Chromium;
import org.arithmospora.redis.RedisTestServer;
import org.arithmospora.ws.TestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A private source end to end: {@code serve} on a real redis-server with {@code [auth]}, a token
 * from {@code arithmospora token}, and the JDK's websocket and HTTP clients. The public source
 * beside it stays open; a client without the token is refused at the handshake.
 */
class PrivateSourcesTest {
  @TempDir Path dir;
  private RedisTestServer redis;
  private Serving serving;
  private Path conf;
  private int wsPort;
  private int webPort;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() throws Exception {
    redis = RedisTestServer.start();
    redis.writer().hset("e:stats:total:data", Map.of("current", "71", "total", "200"));
    redis.writer().hset("r:stats:total:data", Map.of("current", "12", "total", "40"));
    wsPort = Serving.freePort();
    webPort = Serving.freePort();
    Path secret = dir.resolve("jwt.secret");
    Files.writeString(secret, "a newsroom secret, at least thirty-two bytes long\n");
    conf = dir.resolve("arithmospora.conf");
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
        [auth]
        hmac_secret_file = "%s"
        issuer = "https://results.example"
        [[sources]]
        name = "election"
        redis_prefix = "e"
        is_live = true
          [sources.stats]
          proportion = [ { name = "total" } ]
        [[sources]]
        name = "results"
        redis_prefix = "r"
        is_live = true
        private = true
          [sources.stats]
          proportion = [ { name = "total" } ]
        """
            .formatted(redis.port(), wsPort, webPort, secret));
    serving = Serving.withWeb(conf);
  }

  @AfterEach
  void tearDown() throws Exception {
    serving.close();
    redis.close();
  }

  /** What {@code arithmospora token} prints for these arguments. */
  private String token(String... sources) {
    TokenCommand command = new TokenCommand();
    command.options = new CommonOptions();
    command.options.config = conf;
    command.sources = java.util.List.of(sources);
    command.validFor = Duration.ofMinutes(10);
    command.subject = "newsroom";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    command.printTo(
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    int status = command.call();
    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8).strip();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + path))
            .timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theTokenCommandsTokenOpensThePrivateSourceOverWebsocketAndHttp() throws Exception {
    String token = token("results");
    try (TestClient open = TestClient.connect("ws://127.0.0.1:" + wsPort + "/election");
        TestClient holder =
            TestClient.connect("ws://127.0.0.1:" + wsPort + "/results?token=" + token)) {
      assertThat(open.messages.poll(10, TimeUnit.SECONDS)).contains("\"available\"");
      assertThat(holder.messages.poll(10, TimeUnit.SECONDS)).contains("\"available\"");
      String snapshot = holder.messages.poll(10, TimeUnit.SECONDS);
      assertThat(snapshot).contains("\"current\":12");
    }
    HttpResponse<String> snapshot = get("/sources/results", "Authorization", "Bearer " + token);
    assertThat(snapshot.statusCode()).isEqualTo(200);
    assertThat(snapshot.body()).contains("\"current\":12");
    assertThat(get("/sources/election").statusCode()).isEqualTo(200);
  }

  @Test
  void aBrowserReadsThePrivateSourceWithItsTokenAsASubprotocolAndAsAnEventStream(
      @TempDir Path profile) throws Exception {
    java.util.Optional<Path> chromium = Chromium.find();
    if ("1".equals(System.getenv("ARITHMOSPORA_REQUIRE_BROWSER"))) {
      assertThat(chromium).as("Chromium (apt-get install chromium) is required here").isPresent();
    }
    Assumptions.assumeTrue(chromium.isPresent(), "no Chromium on this machine");
    String token = token("results");
    try (Chromium browser =
        Chromium.open(chromium.get(), profile, "http://127.0.0.1:" + webPort + "/")) {
      await()
          .atMost(Chromium.timeout())
          .until(() -> "complete".equals(browser.eval("document.readyState")));
      // One expression (eval takes one), run in the page as its own script would.
      browser.eval(
          """
          (() => {
          window.seen = {};
          const url = "ws://127.0.0.1:%d/results";
          const holder = new WebSocket(url, ["arithmospora-token", "%s"]);
          holder.onmessage = (e) => {
            window.seen.holder = JSON.parse(e.data).event + " via " + holder.protocol;
            holder.close();
          };
          holder.onerror = () => (window.seen.holder = "error");
          const stranger = new WebSocket(url);
          stranger.onopen = () => (window.seen.stranger = "open");
          stranger.onclose = (e) => (window.seen.stranger = window.seen.stranger || "refused " + e.code);
          const stream = new EventSource("/sources/results/events?token=%s");
          stream.addEventListener("stats:proportion:total", (e) => {
            window.seen.stream = JSON.parse(e.data).data.current;
            stream.close();
          });
          return "started";
          })()
          """
              .formatted(wsPort, token, token));
      String seen = "";
      long deadline = System.nanoTime() + Chromium.timeout().toNanos();
      while (System.nanoTime() < deadline) {
        seen = browser.eval("JSON.stringify(window.seen)");
        if (seen != null
            && seen.contains("holder")
            && seen.contains("stranger")
            && seen.contains("stream")) {
          break;
        }
        Thread.sleep(200);
      }
      assertThat(seen)
          .isEqualTo(
              "{\"holder\":\"available via arithmospora-token\","
                  + "\"stranger\":\"refused 1006\",\"stream\":12}");
    }
  }

  @Test
  void aClientWithoutAGoodTokenIsRefusedAndCounted() throws Exception {
    assertThatThrownBy(() -> TestClient.connect("ws://127.0.0.1:" + wsPort + "/results"))
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
    // A token that grants 'results' only in another server's secret: not ours.
    String forged =
        org.arithmospora.auth.TokenMinter.hmac(
                "somebody else's secret, also thirty-two bytes".getBytes(StandardCharsets.UTF_8))
            .source("results")
            .issuer("https://results.example")
            .mint();
    assertThatThrownBy(
            () -> TestClient.connect("ws://127.0.0.1:" + wsPort + "/results?token=" + forged))
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
    HttpResponse<String> none = get("/sources/results");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(get("/sources/results/events?token=" + forged).statusCode()).isEqualTo(401);

    String metrics = get("/metrics").body();
    assertThat(metrics)
        .contains("arithmospora_access_decisions_total{verdict=\"no_token\"} 2.0")
        .contains("arithmospora_access_decisions_total{verdict=\"bad_token\"} 2.0");
  }
}
