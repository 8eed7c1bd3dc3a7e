package org.arithmospora.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.ManualScheduler;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.store.InMemoryStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a client controls before its upgrade, with raw sockets over loopback: the size of its
 * request, how long it takes, how many such connections there are, and the answer a bad one gets.
 * After each, a good client is still served.
 */
class HandshakeBoundsTest {
  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  private static final String GOOD =
      "GET /election HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: "
          + KEY
          + "\r\nSec-WebSocket-Version: 13\r\n\r\n";

  private LiveSource source;
  private ArithmosporaServer server;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void setUp() {
    InMemoryStore store = new InMemoryStore();
    store.stat("total").set("current", 71).set("total", 200);
    source =
        LiveSource.builder(SourceDefinition.builder("election").stat("proportion", "total").build())
            .loader(store)
            .scheduler(new ManualScheduler(Instant.parse("2017-03-03T12:00:00Z")))
            .build();
    source.start();
  }

  @AfterEach
  void tearDown() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
    source.close();
  }

  private void serve(WebSocketSettings.Builder settings) {
    server =
        ArithmosporaServer.builder(settings.address("127.0.0.1:0").build()).source(source).build();
    server.start();
  }

  private Socket open() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
    s.setSoTimeout(20_000);
    sockets.add(s);
    return s;
  }

  /** Everything the server sends until it closes the connection. */
  static String readToEnd(Socket s) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        all.write(buf, 0, n);
      }
    } catch (SocketException reset) {
      // A close with our bytes unread resets the connection: what came before it stands.
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  private void aGoodClientIsStillServed() {
    try (TestClient c = TestClient.connect("ws://127.0.0.1:" + server.port() + "/election")) {
      assertThat(c.nextJson().get("event").asText()).isEqualTo("available");
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "GET /nope HTTP/1.1~Host: x~Upgrade: websocket~Connection: Upgrade~"
            + "Sec-WebSocket-Key: "
            + KEY
            + "~Sec-WebSocket-Version: 13~~ | 404 | no source at /nope",
        "GET /election HTTP/1.1~Host: x~~ | 400 | not a websocket handshake",
        "GET /election HTTP/1.1~Host: x~Upgrade: websocket~Connection: Upgrade~"
            + "Sec-WebSocket-Version: 13~~ | 400 | Sec-WebSocket-Key",
        "GET /election HTTP/1.1~Host: x~Upgrade: websocket~Connection: Upgrade~"
            + "Sec-WebSocket-Key: "
            + KEY
            + "~Sec-WebSocket-Version: 8~~ | 426 | Sec-WebSocket-Version: 13",
        "POST /election HTTP/1.1~Host: x~Content-Length: 0~~ | 405 | not POST",
        "GET /election HTTP/1.1~Host: x~Origin: https://evil.example.com~Upgrade: websocket~"
            + "Connection: Upgrade~Sec-WebSocket-Key: "
            + KEY
            + "~Sec-WebSocket-Version: 13~~"
            + " | 403 | https://evil.example.com",
        "hello there~~ | 400 | not an HTTP request line",
      })
  void aRefusedHandshakeGetsTheStatusTheRfcsGive(String request, int status, String says)
      throws IOException {
    serve(WebSocketSettings.builder().allowedOrigins(List.of("https://stats.example.org")));
    Socket s = open();
    s.getOutputStream()
        .write(request.trim().replace("~", "\r\n").getBytes(StandardCharsets.US_ASCII));
    String response = readToEnd(s);
    assertThat(response)
        .startsWith("HTTP/1.1 " + status + " ")
        .contains("Connection: close")
        .contains(says)
        .doesNotContain("404 WebSocket Upgrade Failure");
    assertThat(server.handshakesRefused(status)).isEqualTo(1);
    aGoodClientIsStillServed();
  }

  @Test
  void aHeaderThatNeverEndsIsAnswered431AtTheLimit() throws IOException {
    serve(WebSocketSettings.builder().maxHandshakeBytes(4096));
    Socket s = open();
    OutputStream out = s.getOutputStream();
    out.write("GET /election HTTP/1.1\r\nX-Endless: ".getBytes(StandardCharsets.US_ASCII));
    byte[] more = new byte[1024];
    java.util.Arrays.fill(more, (byte) 'a');
    long sent = 0;
    try {
      // Far past the limit, unless the server answers first; it must not take all of it.
      while (sent < 8L * 1024 * 1024 && s.getInputStream().available() == 0) {
        out.write(more);
        sent += more.length;
      }
    } catch (SocketException closed) {
      // The server closed while we were still writing: its answer is waiting for us.
    }
    String response = readToEnd(s);
    assertThat(response).startsWith("HTTP/1.1 431 ").contains("max_handshake_bytes");
    assertThat(sent).as("bytes sent before the answer").isLessThan(8L * 1024 * 1024);
    assertThat(server.handshakesRefused(431)).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.handshakesWaiting() == 0);
    aGoodClientIsStillServed();
  }

  @Test
  void silentAndPartialHandshakesCountFromAcceptAndAreClosedAtTheTimeout() throws Exception {
    serve(WebSocketSettings.builder().maxConnections(6).handshakeTimeout(Duration.ofSeconds(2)));
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      slow.add(open()); // says nothing at all
    }
    for (int i = 0; i < 3; i++) {
      Socket s = open();
      // Slowloris: a request begun and never finished.
      s.getOutputStream()
          .write("GET /election HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      slow.add(s);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.handshakesWaiting() == 6);

    // The limit counts them: a seventh, a real client, is told to come back later.
    Socket seventh = open();
    seventh.getOutputStream().write(GOOD.getBytes(StandardCharsets.US_ASCII));
    assertThat(readToEnd(seventh)).startsWith("HTTP/1.1 503 ").contains("Retry-After: 5");

    for (Socket s : slow) {
      assertThat(readToEnd(s)).as("nothing is sent to a connection that times out").isEmpty();
    }
    assertThat(server.handshakesTimedOut()).isEqualTo(6);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.handshakesWaiting() == 0);
    aGoodClientIsStillServed();
  }

  @Test
  void aHandshakeSentByteByByteWithinTheLimitAndTheTimeIsServed() throws IOException {
    serve(WebSocketSettings.builder());
    Socket s = open();
    OutputStream out = s.getOutputStream();
    s.setTcpNoDelay(true);
    for (byte b : GOOD.getBytes(StandardCharsets.US_ASCII)) {
      out.write(b);
      out.flush();
    }
    InputStream in = s.getInputStream();
    byte[] head = new byte[12];
    int read = 0;
    try {
      while (read < head.length) {
        int n = in.read(head, read, head.length - read);
        if (n < 0) {
          break;
        }
        read += n;
      }
    } catch (SocketTimeoutException e) {
      // Reported below.
    }
    assertThat(new String(head, 0, read, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connectedClients() == 1);
    assertThat(server.handshakesWaiting()).isZero();
  }

  /** The status line the server answers {@code request} with on a new raw connection. */
  private String statusFor(String request) throws IOException {
    Socket s = open();
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) >= 0 && b != '\r'; ) {
      line.append((char) b);
    }
    return line.toString();
  }

  @Test
  void connectionsPerAddressAreCappedAndTheCapFreesAsTheyClose() throws IOException {
    serve(WebSocketSettings.builder().maxConnectionsPerIp(2));
    TestClient first = TestClient.connect("ws://127.0.0.1:" + server.port() + "/election");
    TestClient second = TestClient.connect("ws://127.0.0.1:" + server.port() + "/election");
    first.nextJson();
    second.nextJson();
    assertThat(statusFor(GOOD)).startsWith("HTTP/1.1 429");
    assertThat(server.handshakesRefused(429)).isEqualTo(1);
    first.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connectedClients() == 1);
    // One fewer from this address: the next is let in.
    aGoodClientIsStillServed();
    second.close();
  }

  @Test
  void handshakesFasterThanTheCapAreToldToComeBackInASecond() throws IOException {
    serve(WebSocketSettings.builder().maxHandshakesPerSecond(2));
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      answers.add(statusFor(GOOD));
    }
    // A burst of a second's worth is let in; the rest of ten at once is not.
    assertThat(answers).anyMatch(a -> a.startsWith("HTTP/1.1 101"));
    assertThat(answers).anyMatch(a -> a.startsWith("HTTP/1.1 503"));
    assertThat(server.handshakesRefused(503))
        .isEqualTo(answers.stream().filter(a -> a.startsWith("HTTP/1.1 503")).count());
    // Later, at the rate, clients are served again.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(600))
        .until(() -> statusFor(GOOD).startsWith("HTTP/1.1 101"));
  }

  @Test
  void withAllowNoOriginOffAClientWithoutOriginIsRefused() throws IOException {
    serve(
        WebSocketSettings.builder()
            .allowedOrigins(List.of("https://stats.example.org"))
            .allowNoOrigin(false));
    assertThat(statusFor(GOOD)).startsWith("HTTP/1.1 403");
    assertThat(server.handshakesRefused(403)).isEqualTo(1);
    String withOrigin =
        GOOD.replace(
            "Host: 127.0.0.1\r\n", "Host: 127.0.0.1\r\nOrigin: https://stats.example.org\r\n");
    assertThat(statusFor(withOrigin)).startsWith("HTTP/1.1 101");
  }
}
