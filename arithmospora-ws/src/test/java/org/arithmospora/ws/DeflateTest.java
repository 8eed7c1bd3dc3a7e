package org.arithmospora.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.ManualScheduler;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.store.InMemoryStore;
import org.arithmospora.hub.Hub;
import org.java_websocket.WebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate (RFC 7692) over raw sockets: a client that offers it gets compressed frames
 * that inflate to the very text an uncompressed client reads, its own compressed frames are
 * understood, and offers the server cannot honour, or a server with compression off, get plain
 * frames.
 */
class DeflateTest {
  private static final String OFFER = "permessage-deflate; client_max_window_bits";
  private final InMemoryStore store = new InMemoryStore();
  private LiveSource source;
  private ArithmosporaServer server;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void setUp() {
    InMemoryStore.Node total = store.stat("total").set("current", 71).set("total", 200);
    for (String hall : List.of("North", "South", "East", "West", "Central")) {
      total.dataPoint(hall).set("current", 12).set("total", 40);
    }
    startSource(SourceDefinition.builder("election").stat("proportion", "total"));
  }

  private void startSource(SourceDefinition.Builder definition) {
    source =
        LiveSource.builder(definition.build())
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

  private void serve(boolean compression) {
    server =
        ArithmosporaServer.builder(
                WebSocketSettings.builder()
                    .address("127.0.0.1:0")
                    .compression(compression)
                    .snapshotDelay(Duration.ZERO)
                    .build())
            .source(source)
            .build();
    server.start();
  }

  /** A client over a raw socket: its handshake's answer, then frames one by one. */
  private final class RawClient {
    final Socket socket;
    final DataInputStream in;
    final String answer;

    RawClient(String extensions) throws IOException {
      socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
      socket.setSoTimeout(10_000);
      sockets.add(socket);
      socket
          .getOutputStream()
          .write(
              ("GET /election HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                      + (extensions == null
                          ? ""
                          : "Sec-WebSocket-Extensions: " + extensions + "\r\n")
                      + "\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      in = new DataInputStream(socket.getInputStream());
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        head.append((char) in.readUnsignedByte());
      }
      answer = head.toString();
    }

    /** The next text frame: whether RSV1 was set, and its text, inflated when it was. */
    Message next() throws IOException, DataFormatException {
      ServerFrame f = ServerFrame.read(in);
      if (f.opcode() != 1) {
        return next(); // a ping: not what the test reads
      }
      return new Message(
          f.compressed(),
          f.compressed() ? inflate(f.payload()) : new String(f.payload(), StandardCharsets.UTF_8));
    }

    /** The close code of the close frame the server sends next, skipping other frames. */
    int closeCode() throws IOException {
      while (true) {
        ServerFrame f = ServerFrame.read(in);
        if (f.opcode() == 8) {
          return ((f.payload()[0] & 0xFF) << 8) | (f.payload()[1] & 0xFF);
        }
      }
    }

    /** Sends {@code text} as a masked frame, compressed as a browser would. */
    void sendCompressed(String text) throws IOException {
      Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
      d.setInput(text.getBytes(StandardCharsets.UTF_8));
      byte[] buf = new byte[8192];
      int n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH) - 4;
      d.end();
      byte[] mask = {1, 2, 3, 4};
      OutputStream out = socket.getOutputStream();
      if (n < 126) {
        out.write(new byte[] {(byte) 0xC1, (byte) (0x80 | n)});
      } else {
        out.write(new byte[] {(byte) 0xC1, (byte) (0x80 | 126), (byte) (n >> 8), (byte) n});
      }
      out.write(mask);
      for (int i = 0; i < n; i++) {
        out.write(buf[i] ^ mask[i % 4]);
      }
      out.flush();
    }
  }

  private record Message(boolean compressed, String text) {}

  private static String inflate(byte[] payload) throws DataFormatException {
    Inflater inflater = new Inflater(true);
    byte[] withTail = new byte[payload.length + 4];
    System.arraycopy(payload, 0, withTail, 0, payload.length);
    withTail[payload.length + 2] = (byte) 0xFF;
    withTail[payload.length + 3] = (byte) 0xFF;
    inflater.setInput(withTail);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    while (!inflater.needsInput()) {
      int n = inflater.inflate(buf);
      if (n == 0 && inflater.needsInput()) {
        break;
      }
      out.write(buf, 0, n);
    }
    inflater.end();
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aClientThatOffersDeflateGetsCompressedFramesOfTheSameText() throws Exception {
    serve(true);
    RawClient plain = new RawClient(null);
    RawClient deflating = new RawClient(OFFER);
    assertThat(plain.answer).doesNotContain("Sec-WebSocket-Extensions");
    assertThat(deflating.answer)
        .contains(
            "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover;"
                + " client_no_context_takeover");
    Message available = deflating.next();
    Message stat = deflating.next();
    assertThat(available.text()).isEqualTo(plain.next().text());
    Message plainStat = plain.next();
    assertThat(plainStat.compressed()).isFalse();
    assertThat(stat.compressed()).as("a stat of five halls compresses").isTrue();
    assertThat(stat.text()).isEqualTo(plainStat.text()).contains("\"North\"");
  }

  @Test
  void aChangeIsCompressedOnceForEveryClientThatTookTheExtension() throws Exception {
    serve(true);
    List<RawClient> deflating = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      deflating.add(new RawClient(OFFER));
    }
    RawClient plain = new RawClient(null);
    for (RawClient c : deflating) {
      c.next();
      c.next();
    }
    plain.next();
    plain.next();
    long framedBefore = Frame.framed();
    store.stat("total").dataPoint("North").set("current", 13);
    source.refreshAll();
    String expected = plain.next().text();
    for (RawClient c : deflating) {
      Message m = c.next();
      assertThat(m.compressed()).isTrue();
      assertThat(m.text()).isEqualTo(expected);
    }
    assertThat(Frame.framed() - framedBefore)
        .as("frames built for one change: one deflated for three clients, one plain")
        .isEqualTo(2);
  }

  @Test
  void aCompressedMessageCountsAsWrittenOnceItLeaves() throws Exception {
    serve(true);
    RawClient c = new RawClient(OFFER); // answers no ping: nothing is ever acknowledged
    c.next();
    assertThat(c.next().compressed()).isTrue();
    WebSocket conn = server.connections().get(0);
    // Read by the client, so written: what is in flight is the client's part of the window, not
    // the server's own backlog.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Hub.FlowState flow = server.flowState(conn);
              assertThat(flow.bytesInFlight()).isPositive();
              assertThat(flow.bytesUnwritten()).isZero();
            });
  }

  @Test
  void aCompressedMessageCountsAgainstTheWindowAtItsSizeUncompressed() throws Exception {
    serve(true);
    RawClient plain = new RawClient(null); // neither answers pings: nothing is acknowledged
    RawClient deflating = new RawClient(OFFER);
    plain.next();
    plain.next();
    deflating.next();
    assertThat(deflating.next().compressed()).isTrue();
    // The same messages, the same count against the window: a client's work is what it reads.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<Hub.FlowState> flows = new ArrayList<>();
              for (WebSocket conn : server.connections()) {
                flows.add(server.flowState(conn));
              }
              assertThat(flows).hasSize(2);
              assertThat(flows.get(0).bytesInFlight())
                  .isPositive()
                  .isEqualTo(flows.get(1).bytesInFlight());
              assertThat(flows).allSatisfy(f -> assertThat(f.bytesUnwritten()).isZero());
            });
  }

  @Test
  void aRoundOfChangesArrivesAsItsMessagesCompressedOrNot() throws Exception {
    source.close();
    store.stat("turnout").set("current", 5).set("total", 10);
    startSource(
        SourceDefinition.builder("election")
            .stat("proportion", "total")
            .stat("proportion", "turnout"));
    serve(true);
    RawClient deflating = new RawClient(OFFER);
    RawClient plain = new RawClient(null);
    for (RawClient c : List.of(deflating, plain)) {
      for (int i = 0; i < 3; i++) {
        c.next(); // available and both stats
      }
    }
    // Both stats change in one round: each client is handed the round's frames as one piece.
    store.stat("total").dataPoint("North").set("current", 13);
    store.stat("turnout").set("current", 6);
    source.refreshAll();
    List<String> plainTexts = List.of(plain.next().text(), plain.next().text());
    Message first = deflating.next();
    Message second = deflating.next();
    assertThat(first.compressed()).isTrue();
    assertThat(List.of(first.text(), second.text())).isEqualTo(plainTexts);
    assertThat(String.join("\n", plainTexts))
        .contains("\"stats:proportion:total\"")
        .contains("\"stats:proportion:turnout\"")
        .contains("\"current\":13")
        .contains("\"current\":6");
  }

  @Test
  void aClientsCompressedFramesAreUnderstood() throws Exception {
    serve(true);
    RawClient c = new RawClient(OFFER);
    c.next();
    c.next();
    c.sendCompressed("{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
    Message hello = c.next();
    assertThat(hello.text()).contains("\"hello\"").contains("\"protocol\":2");
  }

  @Test
  void aCompressedMessageThatInflatesPastTheLimitClosesItsConnectionOnly() throws Exception {
    serve(true);
    RawClient bomb = new RawClient(OFFER);
    RawClient bystander = new RawClient(OFFER);
    bomb.next();
    bomb.next();
    bystander.next();
    bystander.next();
    // 100 KB of one letter deflates to about a hundred bytes; the limit is 4 KB inflated.
    bomb.sendCompressed("{\"event\":\"" + "a".repeat(100_000) + "\"}");
    assertThat(bomb.closeCode()).isEqualTo(1009);
    store.stat("total").dataPoint("South").set("current", 14);
    source.refreshAll();
    assertThat(bystander.next().text()).contains("\"South\"");
  }

  @Test
  void anOfferOfASmallerWindowOrAServerWithCompressionOffGetsPlainFrames() throws Exception {
    serve(true);
    RawClient small = new RawClient("permessage-deflate; server_max_window_bits=10");
    assertThat(small.answer).doesNotContain("Sec-WebSocket-Extensions");
    small.next();
    assertThat(small.next().compressed()).isFalse();
    RawClient fifteen = new RawClient("permessage-deflate; server_max_window_bits=15");
    assertThat(fifteen.answer).contains("Sec-WebSocket-Extensions: permessage-deflate");
    server.stop(Duration.ofSeconds(2));

    serve(false);
    RawClient off = new RawClient(OFFER);
    assertThat(off.answer).doesNotContain("Sec-WebSocket-Extensions");
    off.next();
    assertThat(off.next().compressed()).isFalse();
  }
}
