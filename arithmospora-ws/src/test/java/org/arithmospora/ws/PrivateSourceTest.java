package org.arithmospora.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.ManualScheduler;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.store.InMemoryStore;
import org.arithmospora.hub.SourceAccess;
import org.arithmospora.hub.SourceAccess.Decision;
import org.arithmospora.hub.SourceAccess.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A private source behind the handshake, with real clients over loopback: the token found in the
 * query or the {@code Authorization} header, each refusal answered with its status and challenge,
 * and a client closed when its token expires. The tokens here are plain words, decided by a small
 * policy: what a token means is the access policy's business, tested with it.
 */
class PrivateSourceTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private LiveSource election;
  private LiveSource results;
  private ArithmosporaServer server;

  /**
   * "good" grants results; "brief" grants it for 1.5 s; "other" grants nothing; all else is bad.
   */
  private static final SourceAccess WORDS =
      new SourceAccess() {
        @Override
        public boolean isPrivate(String source) {
          return source.equals("results");
        }

        @Override
        public Decision decide(String source, String token, String client) {
          if (token == null) {
            return Decision.refused(Verdict.NO_TOKEN, "source 'results' needs a token");
          }
          return switch (token) {
            case "good" -> Decision.allowed();
            case "brief" -> Decision.allowedUntil(Instant.now().plusMillis(1500));
            case "other" -> Decision.refused(Verdict.NOT_GRANTED, "token does not grant 'results'");
            default -> Decision.refused(Verdict.BAD_TOKEN, "token signature does not verify");
          };
        }
      };

  @BeforeEach
  void setUp() {
    election = source("election");
    results = source("results");
    server =
        ArithmosporaServer.builder(WebSocketSettings.builder().address("127.0.0.1:0").build())
            .source(election)
            .source(results)
            .access(WORDS)
            .build();
    server.start();
  }

  private static LiveSource source(String name) {
    InMemoryStore store = new InMemoryStore();
    store.stat("total").set("current", 71).set("total", 200);
    LiveSource s =
        LiveSource.builder(SourceDefinition.builder(name).stat("proportion", "total").build())
            .loader(store)
            .scheduler(new ManualScheduler(Instant.parse("2017-03-03T12:00:00Z")))
            .build();
    s.start();
    return s;
  }

  @AfterEach
  void tearDown() {
    server.stop(Duration.ofSeconds(2));
    election.close();
    results.close();
  }

  private String uri(String resource) {
    return "ws://127.0.0.1:" + server.port() + resource;
  }

  @Test
  void aPublicSourceNeedsNoToken() {
    try (TestClient c = TestClient.connect(uri("/election"))) {
      assertThat(c.nextJson().get("event").asText()).isEqualTo("available");
    }
  }

  @Test
  void aTokenInTheQueryOrABearerHeaderLetsTheClientIn() {
    try (TestClient q = TestClient.connect(uri("/results?token=good"));
        TestClient h =
            TestClient.connect(http, uri("/results"), Map.of("Authorization", "Bearer good"))) {
      assertThat(q.nextJson().get("event").asText()).isEqualTo("available");
      assertThat(h.nextJson().get("event").asText()).isEqualTo("available");
    }
  }

  @Test
  void aTokenOfferedAsASubprotocolLetsTheClientInAndOnlyTheMarkerIsAnswered() {
    try (TestClient c =
        TestClient.connectOffering(uri("/results"), AccessTokens.TOKEN_PROTOCOL, "good")) {
      assertThat(c.nextJson().get("event").asText()).isEqualTo("available");
      assertThat(c.socket().getSubprotocol()).isEqualTo(AccessTokens.TOKEN_PROTOCOL);
    }
    // Offered to a public source too, the marker is answered: a page may offer it everywhere.
    try (TestClient c =
        TestClient.connectOffering(uri("/election"), AccessTokens.TOKEN_PROTOCOL, "good")) {
      assertThat(c.nextJson().get("event").asText()).isEqualTo("available");
    }
  }

  @Test
  void aSubprotocolTokenThatIsNotGoodIsRefused() throws IOException {
    assertThat(
            rawHandshake(
                "/results", "Sec-WebSocket-Protocol: " + AccessTokens.TOKEN_PROTOCOL + ", forged"))
        .startsWith("HTTP/1.1 401 ")
        .contains("signature does not verify")
        .doesNotContain("forged");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/results | | 401 | needs a token | Bearer realm=\"arithmospora\"",
        "/results?token=forged | | 401 | signature does not verify | error=\"invalid_token\"",
        "/results | Bearer forged | 401 | signature does not verify | error=\"invalid_token\"",
        "/results?token=other | | 403 | does not grant 'results' | error=\"insufficient_scope\"",
      })
  void aClientWithoutAGoodTokenIsRefusedWithTheStatusAndChallengeRfc6750Gives(
      String resource, String authorization, int status, String says, String challenge)
      throws IOException {
    String response =
        rawHandshake(resource, authorization == null ? "" : "Authorization: " + authorization);
    assertThat(response)
        .startsWith("HTTP/1.1 " + status + " ")
        .contains("WWW-Authenticate: " + "Bearer realm=\"arithmospora\"")
        .contains(challenge)
        .contains(says);
    assertThat(server.handshakesRefused(status)).isEqualTo(1);
    try (TestClient c = TestClient.connect(uri("/results?token=good"))) {
      assertThat(c.nextJson().get("event").asText()).isEqualTo("available");
    }
  }

  @Test
  void aClientIsClosedWith1008WhenItsTokenExpires() throws Exception {
    try (TestClient brief = TestClient.connect(uri("/results?token=brief"));
        TestClient good = TestClient.connect(uri("/results?token=good"))) {
      assertThat(brief.nextJson().get("event").asText()).isEqualTo("available");
      assertThat(brief.closeCode.get(20, TimeUnit.SECONDS)).isEqualTo(1008);
      assertThat(good.closeCode).isNotDone();
      assertThat(server.hub().clientsExpired()).isEqualTo(1);
    }
  }

  private String rawHandshake(String resource, String extraHeader) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(20_000);
      String request =
          "GET "
              + resource
              + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
              + (extraHeader.isEmpty() ? "" : extraHeader + "\r\n")
              + "\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return HandshakeBoundsTest.readToEnd(s);
    }
  }
}
