package org.arithmospora.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A transport and the client at its other end, in one: what the hub hands over travels to the
 * client on {@link #flush()}, and the client consumes it only when the test says so, answering each
 * request for acknowledgement as it reaches it (as a websocket client answers a ping).
 */
final class FakeClient implements Transport {
  /** Frame header of a short text message, as a websocket transport would count it. */
  static final int HEADER = 2;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final ArrayDeque<Object> queued = new ArrayDeque<>();
  private final ArrayDeque<Object> travelling = new ArrayDeque<>();

  /**
   * Everything the client consumed, parsed; a protocol-2 delta with its patch applied to the
   * version it held, as a client would, so that its payload is the whole.
   */
  final List<JsonNode> received = new ArrayList<>();

  /** Everything the client consumed, as it came: one element a frame. */
  final List<JsonNode> raw = new ArrayList<>();

  /** The frames from {@code from} on, as single messages: a batch's parts, in order. */
  List<JsonNode> rawMessages(int from) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode m : raw.subList(from, raw.size())) {
      if (m.path("event").asText().equals("batch")) {
        m.get("payload").forEach(out::add);
      } else {
        out.add(m);
      }
    }
    return out;
  }

  private final java.util.Map<String, JsonNode> held = new java.util.HashMap<>();

  /** Protocol 2: takes over what {@code earlier} holds, as a client keeps it over a reconnect. */
  void holdAsBefore(FakeClient earlier) {
    held.putAll(earlier.held);
  }

  /** Protocol 2: the whole message of {@code event} this client holds, version included. */
  JsonNode held(String event) {
    return held.get(event);
  }

  private JsonNode applied(JsonNode m) {
    String event = m.path("event").asText();
    if (!m.has("version")) {
      return m;
    }
    JsonNode payload = m.get("payload");
    if (m.has("base")) {
      JsonNode base = held.get(event);
      assertThat(base)
          .as("a delta of %s comes only for a version the client holds", event)
          .isNotNull();
      assertThat(base.get("version").asText()).isEqualTo(m.get("base").asText());
      payload = MergePatch.apply(base.get("payload"), payload);
    }
    com.fasterxml.jackson.databind.node.ObjectNode whole =
        ((com.fasterxml.jackson.databind.node.ObjectNode) m).deepCopy();
    whole.remove("base");
    whole.set("payload", payload);
    held.put(event, whole);
    return whole;
  }

  Connection connection;

  /** How this kind of transport frames a message, if it does; frames are asked of the message. */
  java.util.function.Function<org.arithmospora.core.wire.EncodedMessage, byte[]> framing;

  /** Whether pongs echo their ping's token (RFC 6455); false plays a client that does not. */
  boolean echo = true;

  long bytesHandedOver;
  long bytesConsumed;

  /** Whether it says what it wrote; then a stalled server holds what it was given. */
  boolean tellsWritten;

  boolean serverStalled;

  /**
   * Whether the server reads this client's answers late, as a busy selector does: they wait, each
   * with when it arrived, until {@link #serverReadsAnswers}.
   */
  boolean answersReadLate;

  private final List<long[]> answersWaiting = new ArrayList<>();
  private Hub hub;
  private long bytesWritten;
  int flushes;
  int closeCode = -1;
  String closeReason;
  String aborted;
  private long consumedOfHead;

  FakeClient(String name) {
    this.name = name;
  }

  /** Connects a new client to {@code hub}'s source {@code source}. */
  static FakeClient connect(Hub hub, String source, String name) {
    return connect(hub, source, name, -1);
  }

  /** Connects a client that comes back holding everything up to {@code resumeAfter}. */
  static FakeClient connect(Hub hub, String source, String name, long resumeAfter) {
    FakeClient c = new FakeClient(name);
    c.hub = hub;
    c.connection = hub.connect(source, c, resumeAfter);
    return c;
  }

  /** The newest sequence the hub said this client was handed everything up to; -1 for none. */
  long caughtUpTo = -1;

  @Override
  public void caughtUp(long sequence) {
    assertThat(sequence).as("caught-up sequences increase").isGreaterThanOrEqualTo(caughtUpTo);
    caughtUpTo = sequence;
  }

  private record Sent(OutboundMessage message, int size) {}

  @Override
  public int send(OutboundMessage message) {
    int size = framing != null ? message.framed(framing).length : message.message().size() + HEADER;
    queued.add(new Sent(message, size));
    bytesHandedOver += size;
    return size;
  }

  /** The rounds the hub handed over whole, in order; their messages travel as {@link #send}'s. */
  final List<OutboundRound> rounds = new ArrayList<>();

  @Override
  public int sendRound(OutboundRound round) {
    rounds.add(round);
    return Transport.super.sendRound(round);
  }

  @Override
  public void requestAck(long token) {
    queued.add(token);
  }

  @Override
  public void flush() {
    flushes++;
    if (!serverStalled) {
      write();
    }
  }

  private void write() {
    for (Object o : queued) {
      if (o instanceof Sent s) {
        bytesWritten += s.size();
      }
    }
    travelling.addAll(queued);
    queued.clear();
  }

  /** The server writes again, and at once all it was holding. */
  void serverCatchesUp() {
    serverStalled = false;
    write();
  }

  @Override
  public long bytesWritten() {
    return tellsWritten ? bytesWritten : -1;
  }

  @Override
  public void close(int code, String reason) {
    closeCode = code;
    closeReason = reason;
  }

  @Override
  public void abort(String reason) {
    aborted = reason;
  }

  @Override
  public String describe() {
    return name;
  }

  /** Bytes handed over and not yet consumed: what sits in buffers on the way. */
  long bytesUnconsumed() {
    return bytesHandedOver - bytesConsumed;
  }

  /**
   * The server reads the answers that were waiting for it; {@code saysHowLate} whether it tells the
   * hub how long each waited (as the websocket server does), or leaves them timed as read.
   */
  void serverReadsAnswers(boolean saysHowLate) {
    long now = hub.nanoTime();
    for (long[] answer : answersWaiting) {
      connection.acknowledged(answer[0], -1, -1, saysHowLate ? now - answer[1] : 0);
    }
    answersWaiting.clear();
  }

  /** Consumes everything that has reached it. */
  void readAll() {
    read(Long.MAX_VALUE);
  }

  /** Consumes up to {@code budget} bytes of what has reached it, answering requests on the way. */
  void read(long budget) {
    while (!travelling.isEmpty()) {
      Object head = travelling.peek();
      if (head instanceof Long token) {
        travelling.poll();
        if (answersReadLate) {
          answersWaiting.add(new long[] {token, hub.nanoTime()});
        } else {
          connection.acknowledged(echo ? token : Connection.UNKNOWN_TOKEN);
        }
        continue;
      }
      Sent s = (Sent) head;
      long need = s.size() - consumedOfHead;
      if (budget < need) {
        consumedOfHead += budget;
        bytesConsumed += budget;
        return;
      }
      budget -= need;
      bytesConsumed += need;
      consumedOfHead = 0;
      travelling.poll();
      try {
        JsonNode m = JSON.readTree(s.message().message().text());
        raw.add(m);
        if (m.path("event").asText().equals("batch")) {
          for (JsonNode part : m.get("payload")) {
            received.add(applied(part));
          }
        } else {
          received.add(applied(m));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The events received, in order. */
  List<String> events() {
    return received.stream().map(m -> m.get("event").asText()).toList();
  }

  /** The payloads of every message received for {@code event}, in order. */
  List<JsonNode> payloads(String event) {
    return received.stream()
        .filter(m -> m.get("event").asText().equals(event))
        .map(m -> m.get("payload"))
        .toList();
  }

  /** The {@code current} of the last message received for proportion stat {@code stat}. */
  long lastCurrent(String stat) {
    List<JsonNode> p = payloads("stats:proportion:" + stat);
    return p.isEmpty() ? -1 : p.get(p.size() - 1).get("data").get("current").asLong();
  }
}
