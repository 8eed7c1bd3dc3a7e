package org.arithmospora.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.java_websocket.drafts.Draft;
import org.java_websocket.enums.HandshakeState;
import org.java_websocket.enums.Role;
import org.java_websocket.exceptions.IncompleteHandshakeException;
import org.java_websocket.exceptions.InvalidHandshakeException;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.Handshakedata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The cheaper handshake must read and answer exactly as Java-WebSocket's own does. */
class ServerDraftTest {
  private static final String REQUEST =
      "GET /election?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

  @Test
  void theAcceptKeyIsTheOneOfRfc6455() {
    // RFC 6455 §1.3's worked example.
    assertThat(ServerDraft.acceptKey("dGhlIHNhbXBsZSBub25jZQ=="))
        .isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assertThat(ServerDraft.acceptKey(" dGhlIHNhbXBsZSBub25jZQ== "))
        .isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }

  @Test
  void theDateHeaderIsAnHttpDate() {
    assertThat(ServerDraft.httpDate(0)).isEqualTo("Thu, 01 Jan 1970 00:00:00 GMT");
    long millis = Instant.parse("2026-03-05T04:05:06.789Z").toEpochMilli();
    assertThat(ServerDraft.httpDate(millis)).isEqualTo("Thu, 05 Mar 2026 04:05:06 GMT");
    assertThat(ServerDraft.httpDate(millis + 1000)).isEqualTo("Thu, 05 Mar 2026 04:05:07 GMT");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        REQUEST + "\r\n",
        REQUEST + "Origin:    https://stats.example.org\r\nX-Empty:\r\nX-NoSpace:value\r\n\r\n",
        REQUEST + "Cookie: a=1\r\ncookie: b=2\r\nX-Colons: a:b:c\r\n\r\n",
      })
  void requestsAreReadAsTheLibraryReadsThem(String request) throws Exception {
    Handshakedata ours = ours(request);
    Handshakedata library = Draft.translateHandshakeHttp(bytes(request), Role.SERVER);
    assertThat(((ClientHandshake) ours).getResourceDescriptor())
        .isEqualTo(((ClientHandshake) library).getResourceDescriptor());
    assertThat(fields(ours)).isEqualTo(fields(library)).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET /election HTTP/1.1\r\nHost: x\r\n",
        "GET /election HTTP/1.1\r\nHost: x",
        "GET /elec",
        "POST /election HTTP/1.1\r\n\r\n",
        "GET /election HTTP/1.0\r\n\r\n",
        "GET /election\r\n\r\n",
        "GET /election HTTP/1.1\r\nno colon here\r\n\r\n",
      })
  void badAndIncompleteRequestsFailAsTheyDoInTheLibrary(String request) {
    Throwable library = catchFrom(() -> Draft.translateHandshakeHttp(bytes(request), Role.SERVER));
    Throwable ours = catchFrom(() -> ours(request));
    assertThat(library)
        .isInstanceOfAny(InvalidHandshakeException.class, IncompleteHandshakeException.class);
    // The same kind of failure, so the library waits for more or refuses as it would; our
    // messages say what is wrong in words of their own.
    assertThat(ours).isExactlyInstanceOf(library.getClass());
    if (library instanceof IncompleteHandshakeException incomplete) {
      assertThat(((IncompleteHandshakeException) ours).getPreferredSize())
          .isEqualTo(incomplete.getPreferredSize());
    }
  }

  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "GET /nope HTTP/1.1~Upgrade: websocket~Connection: Upgrade~~ | 404 | ",
        "GET /election HTTP/1.1~Host: x~~ | 400 | ",
        "GET /election HTTP/1.1~Upgrade: websocket~Connection: Upgrade~"
            + "Sec-WebSocket-Version: 8~Sec-WebSocket-Key: "
            + KEY
            + "~~"
            + " | 426 | Sec-WebSocket-Version: 13",
        "GET /election HTTP/1.1~Upgrade: websocket~Connection: keep-alive, Upgrade~"
            + "Sec-WebSocket-Version: 13~~ | 400 | ",
        "GET /election HTTP/1.1~Upgrade: websocket~Connection: Upgrade~"
            + "Sec-WebSocket-Version: 13~Sec-WebSocket-Key: c2hvcnQ=~~ | 400 | ",
      })
  void refusedHandshakesAreAnsweredWithTheStatusTheRfcsGive(
      String request, int status, String header) throws Exception {
    Admissions admissions =
        new Admissions(16384, 10_000_000_000L, 0, 0, 0, () -> 0, "election"::equals);
    Admission admission = admissions.newAdmission();
    ServerDraft draft = (ServerDraft) new ServerDraft(1024).forConnection(admission).copyInstance();
    draft.setParseMode(Role.SERVER);
    String http = request.trim().replace("~", "\r\n");
    ClientHandshake parsed = (ClientHandshake) draft.translateHandshake(bytes(http));
    assertThat(draft.acceptHandshakeAsServer(parsed)).isEqualTo(HandshakeState.NOT_MATCHED);
    assertThat(admission.refusal().status()).isEqualTo(status);
    String response = StandardCharsets.US_ASCII.decode(admission.response()).toString();
    assertThat(response).startsWith("HTTP/1.1 " + status + " ").contains("Connection: close");
    if (header != null) {
      assertThat(response).contains(header + "\r\n");
    }
    assertThat(admissions.refused(status)).isEqualTo(1);
  }

  @Test
  void aGoodHandshakeIsAcceptedAndAMalformedOneIsABadRequest() throws Exception {
    Admissions admissions =
        new Admissions(16384, 10_000_000_000L, 0, 0, 0, () -> 0, "election"::equals);
    Admission good = admissions.newAdmission();
    ServerDraft draft = (ServerDraft) new ServerDraft(1024).forConnection(good).copyInstance();
    draft.setParseMode(Role.SERVER);
    ClientHandshake parsed =
        (ClientHandshake)
            draft.translateHandshake(
                bytes(
                    "GET /election?v=1 HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                        + KEY
                        + "\r\n\r\n"));
    assertThat(draft.acceptHandshakeAsServer(parsed)).isEqualTo(HandshakeState.MATCHED);
    assertThat(good.refusal()).isNull();

    Admission post = admissions.newAdmission();
    ServerDraft other = new ServerDraft(1024).forConnection(post);
    other.setParseMode(Role.SERVER);
    assertThatThrownBy(() -> other.translateHandshake(bytes("POST /election HTTP/1.1\r\n\r\n")))
        .isInstanceOf(InvalidHandshakeException.class);
    assertThat(post.refusal().status()).isEqualTo(405);
  }

  @Test
  void theEndOfARequestHeaderIsFoundAcrossReadsAndItsSizeIsBounded() {
    Admissions admissions = new Admissions(1024, 10_000_000_000L, 0, 0, 0, () -> 0, n -> true);
    Admission a = admissions.newAdmission();
    byte[] first = "GET / HTTP/1.1\r\nHost: x\r".getBytes(StandardCharsets.US_ASCII);
    byte[] rest = "\n\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(a.scan(first, 0, first.length, 1024)).isZero();
    assertThat(a.scan(rest, 0, rest.length, 1024)).isEqualTo(1);

    Admission endless = admissions.newAdmission();
    byte[] line =
        "X-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    int result = 0;
    int read = 0;
    while (result == 0 && read < 4096) {
      result = endless.scan(line, 0, line.length, 1024);
      read += line.length;
    }
    assertThat(result).isEqualTo(-1);
    assertThat(read).isBetween(1024, 1024 + line.length);
  }

  @Test
  void aRequestWithoutAKeyIsRefused() throws Exception {
    ServerDraft draft = new ServerDraft(1024);
    ClientHandshake request =
        (ClientHandshake) ours("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n");
    assertThatThrownBy(
            () ->
                draft.postProcessHandshakeResponseAsServer(
                    request, new org.java_websocket.handshake.HandshakeImpl1Server()))
        .isInstanceOf(InvalidHandshakeException.class)
        .hasMessage("missing Sec-WebSocket-Key");
  }

  private static Handshakedata ours(String request) throws InvalidHandshakeException {
    ServerDraft draft = new ServerDraft(1024);
    draft.setParseMode(Role.SERVER);
    return draft.translateHandshake(bytes(request));
  }

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static Map<String, String> fields(Handshakedata h) {
    Map<String, String> all = new LinkedHashMap<>();
    for (Iterator<String> it = h.iterateHttpFields(); it.hasNext(); ) {
      String name = it.next();
      all.put(name, h.getFieldValue(name));
    }
    return all;
  }

  private interface Parse {
    Object run() throws Exception;
  }

  private static Throwable catchFrom(Parse parse) {
    try {
      parse.run();
      return null;
    } catch (Exception e) {
      return e;
    }
  }
}
