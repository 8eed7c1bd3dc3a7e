package org.arithmospora.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real websocket client (the JDK's) over loopback that records what it receives. It can stop
 * reading, which leaves the server's data in the TCP buffers, as a stalled browser would. Shared
 * with the other modules' tests through this module's test jar.
 */
public final class TestClient implements WebSocket.Listener, AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Every complete text message received, in order. */
  public final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

  /** The close code the server sent, once it closed. */
  public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

  private final StringBuilder partial = new StringBuilder();
  private volatile boolean reading = true;
  private WebSocket socket;

  /** Connects to {@code uri} and waits for the handshake. */
  public static TestClient connect(String uri) {
    return connect(HTTP, uri, Map.of());
  }

  static TestClient connect(HttpClient http, String uri, Map<String, String> headers) {
    return open(http, uri, headers).join();
  }

  /** Connects offering {@code protocols} (Sec-WebSocket-Protocol), and waits for the handshake. */
  static TestClient connectOffering(String uri, String mostWanted, String... lesser) {
    return open(HTTP, uri, Map.of(), b -> b.subprotocols(mostWanted, lesser)).join();
  }

  static CompletableFuture<TestClient> open(
      HttpClient http, String uri, Map<String, String> headers) {
    return open(http, uri, headers, b -> {});
  }

  private static CompletableFuture<TestClient> open(
      HttpClient http,
      String uri,
      Map<String, String> headers,
      java.util.function.Consumer<WebSocket.Builder> more) {
    TestClient client = new TestClient();
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    headers.forEach(builder::header);
    more.accept(builder);
    return builder
        .buildAsync(URI.create(uri), client)
        .thenApply(
            ws -> {
              client.socket = ws;
              return client;
            });
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      messages.add(partial.toString());
      partial.setLength(0);
    }
    if (reading) {
      webSocket.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeCode.completeExceptionally(error);
  }

  /** Stops taking messages: the JDK client then stops reading its socket. */
  void stopReading() {
    reading = false;
  }

  /** Takes messages again. */
  void resumeReading() {
    reading = true;
    socket.request(1);
  }

  /** Whether any message received so far contains {@code text}. */
  public boolean got(String text) {
    return messages.stream().anyMatch(m -> m.contains(text));
  }

  void send(String text) {
    socket.sendText(text, true).join();
  }

  /** The next message, failing after {@code seconds}. */
  String next(long seconds) {
    try {
      String m = messages.poll(seconds, TimeUnit.SECONDS);
      if (m == null) {
        throw new AssertionError("no message within " + seconds + " s");
      }
      return m;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  JsonNode nextJson() {
    try {
      return JSON.readTree(next(10));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The next {@code n} messages as JSON. */
  List<JsonNode> nextJson(int n) {
    List<JsonNode> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(nextJson());
    }
    return out;
  }

  WebSocket socket() {
    return socket;
  }

  /** Closes and drops the connection. */
  @Override
  public void close() {
    if (socket != null && !socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }
    if (socket != null) {
      socket.abort();
    }
  }
}
