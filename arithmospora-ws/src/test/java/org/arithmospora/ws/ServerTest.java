package org.arithmospora.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.ManualScheduler;
import org.arithmospora.core.MilestoneDefinition;
import org.arithmospora.core.MilestoneGroup;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.store.InMemoryStore;
import org.arithmospora.hub.DropReason;
import org.arithmospora.hub.Hub;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The protocol of SPEC §5 with real websocket clients over loopback. */
class ServerTest {
  private InMemoryStore store;
  private ManualScheduler clock;
  private LiveSource source;
  private ArithmosporaServer server;
  private final List<TestClient> clients = new ArrayList<>();

  @BeforeEach
  void setUp() {
    store = new InMemoryStore();
    clock = new ManualScheduler(Instant.parse("2017-03-03T12:00:00Z"));
    store.stat("total").set("current", 71).set("total", 200);
    store.stat("total", "5m").set("current", 3).set("total", 200).set("peak", 9);
    store.stat("totalvotes").setValue(2345);
    SourceDefinition def =
        SourceDefinition.builder("election")
            .stat("proportion", "total")
            .stat(StatDefinition.of("rolling", "total").withPeriod("5m"))
            .stat(StatDefinition.of("other", "totalvotes").withDataType("single_value"))
            .milestones(
                new MilestoneGroup(
                    "total",
                    "proportion",
                    "total",
                    List.of(
                        new MilestoneDefinition(
                            "half", null, "percentage", 50, ">=", "50% turnout!"))))
            .build();
    source = LiveSource.builder(def).loader(store).scheduler(clock).build();
    source.start();
  }

  @AfterEach
  void tearDown() {
    clients.forEach(TestClient::close);
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
    source.close();
  }

  private ArithmosporaServer serve(WebSocketSettings.Builder settings) {
    server =
        ArithmosporaServer.builder(settings.address("127.0.0.1:0").build()).source(source).build();
    server.start();
    return server;
  }

  private static WebSocketSettings.Builder settings() {
    return WebSocketSettings.builder().snapshotDelay(Duration.ofMillis(50));
  }

  private TestClient connect(String path) {
    TestClient c = TestClient.connect("ws://127.0.0.1:" + server.port() + path);
    clients.add(c);
    return c;
  }

  private void update(String currentVotes) {
    store.stat("total").set("current", Long.parseLong(currentVotes));
    source.refreshAll();
  }

  @Test
  void availableThenEveryStatThenEachChange() {
    serve(settings());
    TestClient c = connect("/election");

    JsonNode available = c.nextJson();
    assertThat(available.get("event").asText()).isEqualTo("available");
    assertThat(available.get("payload").toString())
        .isEqualTo(
            "{\"proportion\":[\"total\"],\"rolling\":[\"5m:total\"],\"other\":[\"totalvotes\"]}");

    List<JsonNode> snapshot = c.nextJson(3);
    assertThat(snapshot)
        .extracting(m -> m.get("event").asText())
        .containsExactly(
            "stats:proportion:total", "stats:rolling:5m:total", "stats:other:totalvotes");
    JsonNode total = snapshot.get(0).get("payload");
    assertThat(total.get("name").asText()).isEqualTo("total");
    assertThat(total.get("data").get("current").asLong()).isEqualTo(71);
    assertThat(total.get("data").get("percentage").asDouble()).isEqualTo(35.5);
    assertThat(total.get("dataPoints").size()).isZero();
    assertThat(snapshot.get(2).get("payload").get("data").get("totalvotes").asLong())
        .isEqualTo(2345);

    update("80");
    JsonNode change = c.nextJson();
    assertThat(change.get("event").asText()).isEqualTo("stats:proportion:total");
    assertThat(change.get("payload").get("data").get("current").asLong()).isEqualTo(80);

    update("120");
    List<JsonNode> next = c.nextJson(2);
    assertThat(next)
        .extracting(m -> m.get("event").asText())
        .containsExactly("stats:proportion:total", "milestone");
    JsonNode milestone = next.get(1).get("payload");
    assertThat(milestone.get("name").asText()).isEqualTo("half");
    assertThat(milestone.get("dataPointNames").size()).isZero();
    assertThat(milestone.get("field").asText()).isEqualTo("percentage");
    assertThat(milestone.get("target").asDouble()).isEqualTo(50);
    assertThat(milestone.get("comparator").asText()).isEqualTo(">=");
    assertThat(milestone.get("message").asText()).isEqualTo("50% turnout!");
    assertThat(milestone.get("achievedWhen").asText()).isEqualTo("2017-03-03T12:00:00Z");
  }

  @Test
  void theSnapshotWaitsForTheConfiguredDelay() {
    serve(settings().snapshotDelay(Duration.ofMillis(400)));
    // The clock starts before connecting: the server's starts when it admits the client, which
    // can be a few milliseconds before the client's connect() returns.
    long t0 = System.nanoTime();
    TestClient c = connect("/election");
    assertThat(c.nextJson().get("event").asText()).isEqualTo("available");
    c.nextJson();
    long waited = Duration.ofNanos(System.nanoTime() - t0).toMillis();
    // A lower bound only: the server must not send early; how late depends on the machine.
    assertThat(waited).isGreaterThanOrEqualTo(400);
  }

  @Test
  void aQueryStringIsIgnoredAndOtherPathsAreRefused() {
    serve(settings());
    assertThat(connect("/election?client=dashboard&v=2").nextJson().get("event").asText())
        .isEqualTo("available");
    for (String path : new String[] {"/", "/nope", "/election/extra", "/electio"}) {
      assertThatThrownBy(() -> connect(path))
          .as(path)
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(WebSocketHandshakeException.class)
          .satisfies(
              e ->
                  assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
                      .isEqualTo(404));
    }
  }

  @Test
  void oneChangeIsFramedOnceAndReachesEveryClient() {
    serve(settings());
    List<TestClient> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(connect("/election"));
    }
    for (TestClient c : many) {
      c.nextJson(4);
    }
    assertThat(server.connectedClients()).isEqualTo(40);
    assertThat(server.connectedClients("election")).isEqualTo(40);
    long framedBefore = Frame.framed();
    long sentBefore = server.messagesSent();

    update("99");
    for (TestClient c : many) {
      assertThat(c.nextJson().get("payload").get("data").get("current").asLong()).isEqualTo(99);
    }
    assertThat(Frame.framed() - framedBefore).as("frames built for one change").isEqualTo(1);
    assertThat(server.messagesSent() - sentBefore).isEqualTo(40);
  }

  @Test
  void connectionsThatOnlyReceiveDoNotStayInTheSelectedKeySet() {
    // Java-WebSocket leaves a key it wrote to in the selected-key set until its client sends
    // something, and visits it again every round: with thousands of quiet clients every round
    // cost as much as all of them. The server clears the set after each round that read.
    assertThat(SelectedKeySweeper.supported())
        .as("this Java-WebSocket has the fields the sweeper needs")
        .isTrue();
    serve(settings().selectorThreads(1));
    List<TestClient> quiet = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      quiet.add(connect("/election"));
    }
    for (TestClient c : quiet) {
      c.nextJson(4);
    }
    update("99");
    for (TestClient c : quiet) {
      c.nextJson();
    }
    // Another client's handshake is a read, in a round after the quiet ones were written to.
    connect("/election").nextJson(4);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(server.selectedKeysLeftOver())
                    .as("keys left selected between rounds")
                    .isLessThanOrEqualTo(1));
  }

  @Test
  void framesLeftWithoutWriteInterestAreStillSent() {
    Quiet q = quietClientOnOneSelector();
    TestClient c = q.client();
    WebSocketImpl conn = q.conn();
    // The race in Java-WebSocket's write routine: it turns write interest off after finding the
    // queue empty, just as a frame is queued. Nothing else will make this quiet client's
    // selector go round.
    conn.getSelectionKey().interestOps(SelectionKey.OP_READ);
    conn.outQueue.add(Frame.of(source.availableMessage()).forClient());
    assertThat(c.nextJson().get("event").asText()).isEqualTo("available");
    assertThat(server.writesRescued()).isPositive();
  }

  @Test
  void aFrameQueuedJustAsTheQueueEmptiesIsWrittenAtTheEndOfThatRound() throws Exception {
    Quiet q = quietClientOnOneSelector();
    TestClient c = q.client();
    WebSocketImpl conn = q.conn();
    LateFrameQueue queue = lateFrameQueue(conn, false);
    long before = server.writesRescuedAtRoundEnd();
    queue.add(Frame.of(source.availableMessage()).forClient());
    ((WebSocketTransport) conn.getAttachment()).flush();
    assertThat(c.nextJson().get("event").asText()).isEqualTo("available");
    // The late frame came in after the library found the queue empty and before it turned write
    // interest off: nothing else would make this quiet client's selector write it.
    assertThat(c.nextJson().get("event").asText()).isEqualTo("available");
    assertThat(queue.lateFrameQueued).isTrue();
    assertThat(server.writesRescuedAtRoundEnd()).isGreaterThan(before);
  }

  @Test
  void pongsAreTakenOnTheSelectorThreadNotDecodedByTheLibrary() {
    // Keep-alive pings soon after the last message: they acknowledge everything before them.
    serve(settings().pingPeriod(Duration.ofMillis(300)));
    TestClient c = connect("/election");
    c.nextJson(4);
    WebSocketImpl conn = (WebSocketImpl) server.connections().get(0);
    for (int i = 0; i < 20; i++) {
      update(String.valueOf(72 + i));
      assertThat(c.nextJson().get("payload").get("data").get("current").asLong()).isEqualTo(72 + i);
    }
    // Nothing left unacknowledged: the client's pongs (the JDK answers pings by itself) arrived.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                server.flowState(conn).bytesInFlight() == 0
                    && server.flowState(conn).acksOutstanding() == 0);
    assertThat(server.pongsDecodedByLibrary()).isZero();
  }

  @Test
  void aFrameQueuedAsTheLibraryFindsNothingToWriteIsWrittenAtTheEndOfThatRound() throws Exception {
    Quiet q = quietClientOnOneSelector();
    TestClient c = q.client();
    WebSocketImpl conn = q.conn();
    LateFrameQueue queue = lateFrameQueue(conn, true);
    long before = server.writesRescuedAtRoundEnd();
    // Writable with nothing queued (a stale selected key, or a request for writing that came
    // before its frame): the library finds the queue empty and turns write interest off.
    conn.getSelectionKey().interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    conn.getSelectionKey().selector().wakeup();
    assertThat(c.nextJson().get("event").asText()).isEqualTo("available");
    assertThat(queue.lateFrameQueued).isTrue();
    assertThat(server.writesRescuedAtRoundEnd()).isGreaterThan(before);
  }

  private record Quiet(TestClient client, WebSocketImpl conn) {}

  /**
   * One client on a server with one selector thread, once its snapshot's acknowledgements are in:
   * nothing else will ask that connection's selector to write (an answer arriving later would, and
   * hide a race).
   */
  private Quiet quietClientOnOneSelector() {
    serve(settings().selectorThreads(1));
    TestClient c = connect("/election");
    c.nextJson(4);
    WebSocketImpl conn = (WebSocketImpl) server.connections().get(0);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.flowState(conn).acksOutstanding() == 0);
    return new Quiet(c, conn);
  }

  private LateFrameQueue lateFrameQueue(WebSocketImpl conn, boolean whenFoundEmpty)
      throws ReflectiveOperationException {
    LateFrameQueue queue =
        new LateFrameQueue(Frame.of(source.availableMessage()).forClient(), whenFoundEmpty);
    java.lang.reflect.Field outQueue = WebSocketImpl.class.getField("outQueue");
    outQueue.setAccessible(true);
    outQueue.set(conn, queue);
    return queue;
  }

  /**
   * A connection's queue that plays the hub queueing a frame at the worst moment, without asking
   * for writing (its request came too early): just after the library, having written and polled the
   * last frame, asks whether the queue is empty; or, with {@code whenFoundEmpty}, just after it
   * found nothing to write. Either way the library then turns write interest off.
   */
  private static final class LateFrameQueue
      extends java.util.concurrent.LinkedBlockingQueue<java.nio.ByteBuffer> {
    private final java.nio.ByteBuffer lateFrame;
    private final boolean whenFoundEmpty;
    private volatile boolean polled;
    volatile boolean lateFrameQueued;

    LateFrameQueue(java.nio.ByteBuffer lateFrame, boolean whenFoundEmpty) {
      this.lateFrame = lateFrame;
      this.whenFoundEmpty = whenFoundEmpty;
    }

    @Override
    public java.nio.ByteBuffer poll() {
      java.nio.ByteBuffer b = super.poll();
      polled |= b != null;
      return b;
    }

    @Override
    public java.nio.ByteBuffer peek() {
      java.nio.ByteBuffer b = super.peek();
      if (whenFoundEmpty && b == null && !lateFrameQueued) {
        queueLateFrame();
      }
      return b; // as it was when asked
    }

    @Override
    public boolean isEmpty() {
      if (!whenFoundEmpty && polled && !lateFrameQueued && super.isEmpty()) {
        queueLateFrame();
        return true; // as it was when asked
      }
      return super.isEmpty();
    }

    private void queueLateFrame() {
      lateFrameQueued = true;
      super.add(lateFrame);
    }
  }

  @Test
  void aReconnectStormCostsNoEncoding() {
    serve(settings());
    // The first client's snapshot frames the stats (once, lazily); nobody after it should.
    connect("/election").nextJson(4);
    long framedBefore = Frame.framed();
    for (int round = 0; round < 3; round++) {
      List<TestClient> storm = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        storm.add(connect("/election"));
      }
      for (TestClient c : storm) {
        assertThat(c.nextJson(4))
            .extracting(m -> m.get("event").asText())
            .containsExactly(
                "available",
                "stats:proportion:total",
                "stats:rolling:5m:total",
                "stats:other:totalvotes");
        c.close();
      }
    }
    assertThat(Frame.framed() - framedBefore)
        .as("snapshots reuse the frames kept per stat")
        .isZero();
  }

  /** Makes {@code totalvotes} a big stat (about 24 KB framed), so that windows fill quickly. */
  private void bigStat() {
    InMemoryStore.Node big = store.stat("totalvotes");
    for (int i = 0; i < 400; i++) {
      big.dataPoint("dp" + i).setValue(i);
    }
    source.refreshAll();
  }

  @Test
  void aClientThatStopsReadingHasAtMostItsWindowOnItsWayAndGetsTheNewestOfEachStatWhenItResumes() {
    bigStat();
    int window = 32 * 1024;
    serve(settings().sendWindowBytes(window).writeWait(Duration.ofSeconds(60)));
    TestClient slow = connect("/election");
    TestClient fast = connect("/election");
    slow.nextJson(4);
    fast.nextJson(4);
    slow.stopReading();

    long written = 0;
    for (int i = 0; i < 3000 && server.messagesConflated() < 200; i++) {
      written = 10_000L + i;
      store.stat("totalvotes").setValue(written);
      store.stat("total").set("current", i);
      source.refreshAll();
    }
    long lastVotes = written;
    assertThat(server.messagesConflated()).isGreaterThanOrEqualTo(200);
    int largest =
        source.stats().stream()
                .mapToInt(st -> st.message().orElseThrow().size())
                .max()
                .orElseThrow()
            + 10;
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (WebSocket conn : server.connections()) {
                Hub.FlowState flow = server.flowState(conn);
                // Whatever the kernel buffers could take: a message is handed over only while less
                // than the window is written and unacknowledged and less than the window waits in
                // the server's own queue. What waited there may be written afterwards, so the
                // client's part stays under two windows and a message.
                assertThat(flow.bytesInFlight() - flow.bytesUnwritten())
                    .as("bytes written, on their way to a client")
                    .isLessThan(2L * window + largest);
                assertThat(flow.bytesUnwritten())
                    .as("bytes in the server's own queue")
                    .isLessThan(window + largest);
                assertThat(flow.messagesWaiting())
                    .as("messages waiting, one per stat at most")
                    .isLessThanOrEqualTo(3);
              }
            });

    // The reading client is not held back by the stalled one: it gets the newest value.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> fast.messages.stream().anyMatch(m -> m.contains("\"totalvotes\":" + lastVotes)));

    // The slow one, once it reads again, ends on the newest value without every step between.
    slow.resumeReading();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> slow.messages.stream().anyMatch(m -> m.contains("\"totalvotes\":" + lastVotes)));
    long updates = lastVotes - 10_000 + 1;
    long seenBySlow =
        slow.messages.stream().filter(m -> m.contains("stats:other:totalvotes")).count();
    // What fitted in its window when it stopped, then the newest: not the hundreds between.
    assertThat(seenBySlow)
        .as("versions of the stat the slow client got, of %d", updates)
        .isLessThan(window / 24_000 + 4);
    assertThat(server.clientsDropped()).isZero();
  }

  @Test
  void aClientThatReadsSlowlyIsNeverDroppedAndEndsOnTheNewestValues() throws Exception {
    bigStat();
    // write_wait is 3 s; the client needs 1.5 s for one version of the big stat (24 KB), and
    // minutes for all that is written meanwhile.
    serve(settings().writeWait(Duration.ofSeconds(3)).pongWait(Duration.ofSeconds(60)));
    try (SlowReader slow = SlowReader.open(server.port(), "/election", 16 * 1024)) {
      slow.awaitMessages(4);
      long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
      long written = 0;
      while (System.nanoTime() < deadline) {
        written++;
        store.stat("totalvotes").setValue(written);
        source.refreshAll();
        Thread.sleep(5);
      }
      long last = written;
      // About 5 MB/s was written for 4 s; a 16 KB/s reader got what it could, newest first.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  slow.lastMessageContaining("stats:other:totalvotes")
                      .map(m -> m.contains("\"totalvotes\":" + last))
                      .orElse(false));
      assertThat(slow.closedByServer()).isFalse();
      assertThat(server.clientsDropped()).isZero();
      assertThat(slow.pongsSent()).as("it answered the server's pings").isPositive();
      assertThat((long) slow.messageCount())
          .as("conflated: far fewer than the %d versions written", last)
          .isLessThan(last / 4);
    }
  }

  @Test
  void aClientThatTakesNothingIsDroppedAfterWriteWait() throws InterruptedException {
    bigStat();
    serve(settings().writeWait(Duration.ofSeconds(1)).pongWait(Duration.ofSeconds(60)));
    TestClient slow = connect("/election");
    slow.nextJson(4);
    slow.stopReading();
    // Keep changing the stat, as a live election would, until the server gives up on the client.
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (int i = 0; server.clientsDropped() == 0 && System.nanoTime() < deadline; i++) {
      store.stat("totalvotes").setValue(i);
      source.refreshAll();
      Thread.sleep(2);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> server.clientsDropped() == 1);
    assertThat(server.hub().clientsDropped(DropReason.STUCK)).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.connectedClients() == 0);
  }

  @Test
  void aClientThatNeverAnswersPingsIsDroppedAfterPongWait() throws Exception {
    serve(settings().pingPeriod(Duration.ofMillis(300)).pongWait(Duration.ofMillis(900)));
    TestClient healthy = connect("/election");
    // A hand-made handshake, then silence: this peer reads nothing and answers nothing.
    try (Socket raw = rawClient()) {
      await().atMost(Duration.ofSeconds(5)).until(() -> server.connectedClients() == 2);
      assertThat(raw.isClosed()).as("the silent peer's own end").isFalse();

      await().atMost(Duration.ofSeconds(10)).until(() -> server.clientsDropped() == 1);
      assertThat(server.hub().clientsDropped(DropReason.SILENT)).isEqualTo(1);
      assertThat(server.connectedClients()).isEqualTo(1);
      // The healthy client answers pings (the JDK does) and stays.
      update("100");
      assertThat(healthy.messages).isNotNull();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> healthy.messages.stream().anyMatch(m -> m.contains("\"current\":100")));
    }
  }

  /** A client that does the handshake by hand and then does nothing unless told to. */
  private Socket rawClient() throws Exception {
    Socket raw = new Socket(InetAddress.getLoopbackAddress(), server.port());
    OutputStream out = raw.getOutputStream();
    out.write(
        ("GET /election HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = raw.getInputStream();
    byte[] head = new byte[12];
    assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
    assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
    return raw;
  }

  /**
   * The code of the close frame the server sends on a raw connection, after the rest of the
   * handshake's response and whatever frames came first; -1 when it closes without one.
   */
  private static int closeCode(Socket raw) throws Exception {
    raw.setSoTimeout(5000);
    InputStream in = raw.getInputStream();
    // The rest of the handshake's response, to its blank line.
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    // Skip what the server sent before (available, the snapshot), to its close frame.
    int code = -1;
    for (int frames = 0; frames < 100; frames++) {
      int b0 = in.read();
      if (b0 < 0) {
        break; // closed without a close frame
      }
      int len = in.read() & 0x7F;
      if (len == 126) {
        len = (in.read() << 8) | in.read();
      }
      byte[] payload = in.readNBytes(len);
      if ((b0 & 0x0F) == 0x8) {
        code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        break;
      }
    }
    return code;
  }

  @Test
  void clientsThatDropTogetherAreAllClosedAndOthersCarryOn() throws Exception {
    // Java-WebSocket closes such a connection mid-round and then trips over its cancelled key,
    // abandoning the round: one close per round. The server closes them after the round.
    serve(settings().selectorThreads(1));
    TestClient stays = connect("/election");
    stays.nextJson(4);
    List<Socket> dropping = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      dropping.add(rawClient());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.connectedClients() == 101);
    long before = server.closedAfterRound();
    for (Socket s : dropping) {
      s.close();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connectedClients() == 1);
    assertThat(server.closedAfterRound() - before)
        .as("closed at the end of their round")
        .isEqualTo(100);
    update("100");
    assertThat(stays.nextJson().get("payload").get("data").get("current").asLong()).isEqualTo(100);
  }

  /** A client frame, masked with zeros as RFC 6455 lets a client do. */
  private static byte[] clientFrame(boolean fin, int opcode, int length) {
    java.io.ByteArrayOutputStream f = new java.io.ByteArrayOutputStream();
    f.write((fin ? 0x80 : 0) | opcode);
    f.write(0x80 | 126);
    f.write(length >> 8);
    f.write(length & 0xFF);
    f.writeBytes(new byte[4]);
    f.writeBytes("x".repeat(length).getBytes(StandardCharsets.US_ASCII));
    return f.toByteArray();
  }

  @Test
  void aFragmentedMessageThatNeverEndsIsClosedWhenItsTotalPassesTheLimit() throws Exception {
    serve(settings().maxInboundBytes(1024));
    TestClient polite = connect("/election");
    polite.nextJson(4);
    try (Socket endless = rawClient()) {
      OutputStream out = endless.getOutputStream();
      out.write(clientFrame(false, 0x1, 600)); // text, not final
      java.io.IOException closed = null;
      // Each continuation is under the limit; their total soon is not. Without a bound, this
      // would go on for as long as the client liked.
      for (int i = 0; i < 50 && closed == null; i++) {
        try {
          out.write(clientFrame(false, 0x0, 600));
          out.flush();
        } catch (java.io.IOException e) {
          closed = e;
        }
      }
      assertThat(closeCode(endless)).as("close code").isEqualTo(1009);
    }
    update("91");
    assertThat(polite.nextJson().get("payload").get("data").get("current").asLong()).isEqualTo(91);
  }

  @Test
  void aProtocolTwoClientGetsWhatItSubscribedToWithVersionsAndAProtocolOneClientTodaysStream()
      throws Exception {
    // Long enough for the hello to arrive before the snapshot is due, on a busy machine too.
    serve(settings().snapshotDelay(Duration.ofSeconds(1)));
    TestClient one = connect("/election");
    TestClient two = connect("/election");
    two.send("{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
    two.send("{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"proportion:total\",\"x:y\"]}}");
    List<String> events = new ArrayList<>();
    JsonNode stat = null;
    JsonNode error = null;
    while (stat == null || error == null) {
      JsonNode m = two.nextJson();
      events.add(m.get("event").asText());
      if (m.get("event").asText().equals("stats:proportion:total")) {
        stat = m;
      } else if (m.get("event").asText().equals("error")) {
        error = m;
      }
    }
    assertThat(events).containsSubsequence("available", "hello", "available", "milestones");
    assertThat(events).doesNotContain("stats:rolling:5m:total", "stats:other:totalvotes");
    assertThat(stat.get("version").asText()).matches("[0-9a-f]{16}");
    assertThat(error.get("payload").get("code").asText()).isEqualTo("unknown_stat");

    // The protocol-1 client's messages are those of before, byte for byte: the source's own.
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      texts.add(one.next(10));
    }
    assertThat(texts.get(0)).isEqualTo(source.availableMessage().text());
    assertThat(texts.get(1))
        .isEqualTo(source.find("proportion", "total").orElseThrow().message().orElseThrow().text());
    List<JsonNode> first = new ArrayList<>();
    for (String t : texts) {
      first.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(t));
    }
    assertThat(first.get(1).get("event").asText()).isEqualTo("stats:proportion:total");
    assertThat(first.get(1).fieldNames()).toIterable().containsExactly("event", "payload");
    assertThat(first.get(1).get("payload")).isEqualTo(stat.get("payload"));

    update("80");
    assertThat(two.nextJson().get("payload").get("data").get("current").asLong()).isEqualTo(80);
    assertThat(one.nextJson().get("payload").get("data").get("current").asLong()).isEqualTo(80);
  }

  @Test
  void aClientFrameWithoutAMaskIsAProtocolError() throws Exception {
    serve(settings());
    TestClient polite = connect("/election");
    polite.nextJson(4);
    try (Socket unmasked = rawClient()) {
      // RFC 6455 section 5.1: a server must close the connection on a frame without a mask.
      unmasked.getOutputStream().write(new byte[] {(byte) 0x81, 0x02, 'h', 'i'});
      unmasked.getOutputStream().flush();
      assertThat(closeCode(unmasked)).as("close code").isEqualTo(1002);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.clientsClosedFor(1002) == 1);
    update("93");
    assertThat(polite.nextJson().get("payload").get("data").get("current").asLong()).isEqualTo(93);
  }

  @Test
  void clientsClosedForTheirMistakesAreCountedByCloseCode() throws Exception {
    serve(settings());
    TestClient polite = connect("/election");
    polite.nextJson(4);
    for (int i = 0; i < 3; i++) {
      try (Socket bad = rawClient()) {
        // A final text frame of two bytes that are not UTF-8 (0xC3 0x28), masked with zeros.
        bad.getOutputStream()
            .write(new byte[] {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, (byte) 0xC3, 0x28});
        bad.getOutputStream().flush();
        bad.setSoTimeout(5000);
        InputStream in = bad.getInputStream();
        while (in.read() >= 0) {
          // Until the server closes it.
        }
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.clientsClosedFor(1007) == 3);
    update("92");
    assertThat(polite.nextJson().get("payload").get("data").get("current").asLong()).isEqualTo(92);
  }

  @Test
  void oversizedInboundMessagesCloseTheirConnectionOnly() throws Exception {
    serve(settings().maxInboundBytes(1024));
    TestClient polite = connect("/election");
    TestClient rude = connect("/election");
    polite.nextJson(4);
    rude.nextJson(4);

    polite.send("{\"hello\":1}");
    rude.send("x".repeat(10_000));
    assertThat(rude.closeCode.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1009);

    update("90");
    assertThat(polite.nextJson().get("payload").get("data").get("current").asLong()).isEqualTo(90);
    // The hub forgets a closed client on its own thread, a moment after the close.
    await().atMost(Duration.ofSeconds(5)).until(() -> server.connectedClients() == 1);
  }

  @Test
  void originsOutsideTheAllowlistAreRefusedAndClientsWithoutOneAreNot() {
    serve(settings().allowedOrigins(List.of("https://stats.example.org")));
    HttpClient http = HttpClient.newHttpClient();
    String uri = "ws://127.0.0.1:" + server.port() + "/election";
    TestClient ok = TestClient.connect(http, uri, Map.of("Origin", "https://stats.example.org"));
    clients.add(ok);
    assertThat(ok.nextJson().get("event").asText()).isEqualTo("available");
    assertThatThrownBy(
            () -> TestClient.connect(http, uri, Map.of("Origin", "https://evil.example.com")))
        .hasCauseInstanceOf(WebSocketHandshakeException.class);
    // No Origin: not a browser page (the Go program let these in too).
    TestClient script = TestClient.connect(http, uri, Map.of());
    clients.add(script);
    assertThat(script.nextJson().get("event").asText()).isEqualTo("available");
  }

  @Test
  void beyondTheConnectionLimitClientsAreToldToTryAgainLater() throws Exception {
    serve(settings().maxConnections(2));
    connect("/election").nextJson();
    connect("/election").nextJson();
    // Counted from accept: the third is answered 503 at its handshake, before it costs a client.
    assertThatThrownBy(() -> connect("/election"))
        .cause()
        .isInstanceOf(WebSocketHandshakeException.class)
        .satisfies(
            e -> {
              var response = ((WebSocketHandshakeException) e).getResponse();
              assertThat(response.statusCode()).isEqualTo(503);
              assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
            });
    assertThat(server.handshakesRefused(503)).isEqualTo(1);
    assertThat(server.connectedClients()).isEqualTo(2);
  }

  @Test
  void stoppingSendsGoingAway() throws Exception {
    serve(settings());
    TestClient c = connect("/election");
    c.nextJson(4);
    server.stop(Duration.ofSeconds(5));
    assertThat(c.closeCode.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1001);
  }

  @Test
  void aBusyPortIsReportedWithTheAddress() {
    serve(settings());
    ArithmosporaServer second =
        ArithmosporaServer.builder(
                WebSocketSettings.builder().address("127.0.0.1:" + server.port()).build())
            .source(source)
            .build();
    assertThatThrownBy(second::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot listen on 127.0.0.1:" + server.port());
  }

  @Test
  void settingsAreValidated() {
    assertThatThrownBy(() -> WebSocketSettings.builder().pingPeriod(Duration.ofSeconds(60)).build())
        .hasMessage("ping_period (60 s) must be shorter than pong_wait (60 s)");
    assertThatThrownBy(() -> WebSocketSettings.builder().address("localhost"))
        .hasMessage("address 'localhost' is not host:port");
    assertThat(WebSocketSettings.builder().build().delivery().pingPeriod())
        .isEqualTo(Duration.ofSeconds(54));
    assertThatThrownBy(() -> WebSocketSettings.builder().sendWindowBytes(10).build())
        .hasMessageContaining("send_window_bytes");
  }
}
