package org.arithmospora.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.arithmospora.core.DebounceSettings;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.store.InMemoryStore;
import org.arithmospora.hub.DeliverySettings;
import org.arithmospora.hub.Hub;
import org.arithmospora.hub.SourceAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP side against a real source and hub, through the JDK's HTTP client over loopback. */
class WebServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final InMemoryStore store = new InMemoryStore();
  private final AtomicBoolean alive = new AtomicBoolean(true);
  private final List<Readiness.NotReady> notReady = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private LiveSource source;
  private Hub hub;
  private WebServer web;

  @BeforeEach
  void setUp() {
    store.stat("total").set("current", 10).set("total", 100);
    store.stat("votes").setValue(3);
    source =
        LiveSource.builder(
                SourceDefinition.builder("election")
                    .stat("proportion", "total")
                    .stat(
                        org.arithmospora.core.StatDefinition.of("other", "votes")
                            .withDataType("single_value"))
                    .build())
            .loader(store)
            .debounce(DebounceSettings.ofMillis(1, 5))
            .build();
    source.start();
    hub =
        Hub.builder(DeliverySettings.builder().snapshotDelay(Duration.ZERO).build())
            .source(source)
            .build();
    hub.start();
  }

  private void startWeb(WebSettings.Builder settings) {
    startWeb(settings, SourceAccess.OPEN);
  }

  private void startWeb(WebSettings.Builder settings, SourceAccess access) {
    web =
        WebServer.builder(
                settings
                    .address(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))
                    .build())
            .source(source)
            .hub(hub)
            .liveness(alive::get)
            .readiness(() -> List.copyOf(notReady))
            .metrics(() -> "# TYPE up gauge\nup 1\n")
            .dashboardWebsocket(9999, false)
            .access(access)
            .build();
    web.start();
  }

  @AfterEach
  void tearDown() {
    if (web != null) {
      web.close();
    }
    hub.stop();
    source.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + web.port() + path);
  }

  @Test
  void healthAndReadinessSayWhatIsWrong() throws Exception {
    startWeb(WebSettings.builder());
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    alive.set(false);
    assertThat(get("/healthz").statusCode()).isEqualTo(503);

    HttpResponse<String> ready = get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).get("ready").asBoolean()).isTrue();
    notReady.add(new Readiness.NotReady("source election", "store unavailable"));
    HttpResponse<String> notYet = get("/readyz");
    assertThat(notYet.statusCode()).isEqualTo(503);
    JsonNode body = JSON.readTree(notYet.body());
    assertThat(body.get("ready").asBoolean()).isFalse();
    assertThat(body.get("failing").get(0).get("component").asText()).isEqualTo("source election");
    assertThat(body.get("failing").get(0).get("reason").asText()).isEqualTo("store unavailable");
  }

  /** What the server answers on a raw connection to {@code request}: its status line, or "". */
  private String statusLineFor(byte[] request) throws Exception {
    try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), web.port())) {
      raw.setSoTimeout(10_000);
      raw.getOutputStream().write(request);
      raw.getOutputStream().flush();
      String answer = new String(raw.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      return answer.lines().findFirst().orElse("");
    }
  }

  @Test
  void requestsPastTheirBoundsAreRefusedWithTheirStatusAndOthersAreServed() throws Exception {
    startWeb(WebSettings.builder().requestTimeout(Duration.ofMillis(500)));
    String big = "x".repeat(9 * 1024);
    assertThat(
            statusLineFor(
                ("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)))
        .startsWith("HTTP/1.1 431");
    assertThat(
            statusLineFor(
                ("GET /healthz?" + big + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)))
        .startsWith("HTTP/1.1 414");
    assertThat(
            statusLineFor(
                ("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n" + big)
                    .getBytes(StandardCharsets.US_ASCII)))
        .startsWith("HTTP/1.1 413");
    assertThat(statusLineFor("\u0001\u0002 nonsense\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
        .startsWith("HTTP/1.1 400");
    // Half a request, then nothing: closed at request_timeout_ms without an answer.
    assertThat(statusLineFor("GET /healthz HTTP/1.1\r\nHost:".getBytes(StandardCharsets.US_ASCII)))
        .isEmpty();
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void aSnapshotIsTheSourceAsOneDocumentWithAnETag() throws Exception {
    startWeb(WebSettings.builder());
    HttpResponse<String> first = get("/sources/election");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Cache-Control")).contains("public, max-age=1");
    JsonNode doc = JSON.readTree(first.body());
    assertThat(doc.get("available").get("proportion").get(0).asText()).isEqualTo("total");
    assertThat(doc.get("stats").get("proportion:total").get("data").get("current").asLong())
        .isEqualTo(10);
    assertThat(doc.get("stats").get("other:votes").get("data").get("votes").asLong()).isEqualTo(3);
    String etag = first.headers().firstValue("ETag").orElseThrow();

    assertThat(get("/sources/election", "If-None-Match", etag).statusCode()).isEqualTo(304);

    store.stat("total").set("current", 11).publish();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get("/sources/election", "If-None-Match", etag).statusCode() == 200);
    HttpResponse<String> changed = get("/sources/election");
    assertThat(changed.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
    assertThat(
            JSON.readTree(changed.body())
                .get("stats")
                .get("proportion:total")
                .get("data")
                .get("current")
                .asLong())
        .isEqualTo(11);

    HttpResponse<String> unknown = get("/sources/nope");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("no source 'nope'; sources: election");
    assertThat(JSON.readTree(get("/sources").body()).get("sources").get(0).asText())
        .isEqualTo("election");
  }

  @Test
  void anEventStreamCarriesAvailableTheSnapshotAndChangesAndResumes() throws Exception {
    startWeb(WebSettings.builder());
    Stream first = Stream.open(http, uri("/sources/election/events"), null);
    assertThat(first.next().event()).isEqualTo("available");
    List<String> snapshot = List.of(first.next().event(), first.next().event());
    assertThat(snapshot).containsExactlyInAnyOrder("stats:proportion:total", "stats:other:votes");
    Event caughtUp = first.nextId();
    store.stat("total").set("current", 12).publish();
    Event change = first.next();
    assertThat(change.event()).isEqualTo("stats:proportion:total");
    assertThat(JSON.readTree(change.data()).get("data").get("current").asLong()).isEqualTo(12);
    String changeId = first.nextId().id();
    assertThat(changeId).isNotEqualTo(caughtUp.id());
    // Both stats change in one round: both events, in one piece, then the id that covers them.
    store.stat("total").set("current", 13);
    store.stat("votes").setValue(5);
    source.refreshAll();
    assertThat(List.of(first.next().event(), first.next().event()))
        .containsExactlyInAnyOrder("stats:proportion:total", "stats:other:votes");
    String lastId = first.nextId().id();
    assertThat(lastId).isNotEqualTo(changeId);
    first.close();

    // While it is away, one stat changes; coming back, it gets that one alone.
    store.stat("votes").setValue(4).publish();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                source
                    .find("other", "votes")
                    .orElseThrow()
                    .message()
                    .orElseThrow()
                    .text()
                    .contains("4"));
    Stream back = Stream.open(http, uri("/sources/election/events"), lastId);
    assertThat(back.next().event()).isEqualTo("available");
    Event resumed = back.next();
    assertThat(resumed.event()).isEqualTo("stats:other:votes");
    assertThat(back.nextId().id()).isNotNull();
    back.close();

    // An id from another server (or an earlier run) is no resume point: the whole snapshot.
    Stream stranger = Stream.open(http, uri("/sources/election/events"), "zzz-5");
    assertThat(stranger.next().event()).isEqualTo("available");
    assertThat(List.of(stranger.next().event(), stranger.next().event()))
        .containsExactlyInAnyOrder("stats:proportion:total", "stats:other:votes");
    stranger.close();
  }

  /** "good" grants the election; "brief" grants it for 1.5 s; "other" grants nothing. */
  private static final SourceAccess ELECTION_IS_PRIVATE =
      new SourceAccess() {
        @Override
        public boolean isPrivate(String source) {
          return true;
        }

        @Override
        public Decision decide(String source, String token, String client) {
          if (token == null) {
            return Decision.refused(Verdict.NO_TOKEN, "source '" + source + "' needs a token");
          }
          return switch (token) {
            case "good" -> Decision.allowed();
            case "brief" -> Decision.allowedUntil(Instant.now().plusMillis(1500));
            case "other" -> Decision.refused(Verdict.NOT_GRANTED, "token does not grant it");
            default -> Decision.refused(Verdict.BAD_TOKEN, "token signature does not verify");
          };
        }
      };

  @Test
  void aPrivateSourcesSnapshotNeedsATokenAndStaysOutOfSharedCaches() throws Exception {
    startWeb(WebSettings.builder(), ELECTION_IS_PRIVATE);
    HttpResponse<String> none = get("/sources/election");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate"))
        .contains("Bearer realm=\"arithmospora\"");
    assertThat(none.body()).contains("source 'election' needs a token");
    HttpResponse<String> forged = get("/sources/election?token=forged");
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_token\"");
    HttpResponse<String> other = get("/sources/election", "Authorization", "Bearer other");
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"insufficient_scope\"");

    for (HttpResponse<String> good :
        List.of(
            get("/sources/election?token=good"),
            get("/sources/election", "Authorization", "bearer good"))) {
      assertThat(good.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(good.body()).has("stats")).isTrue();
      assertThat(good.headers().firstValue("Cache-Control").orElseThrow()).startsWith("private");
      assertThat(good.headers().allValues("Vary")).contains("Authorization");
    }
    assertThat(get("/sources/nowhere?token=good").statusCode()).isEqualTo(404);
  }

  @Test
  void aPrivateSourcesEventStreamNeedsATokenAndEndsWhenItExpires() throws Exception {
    startWeb(WebSettings.builder(), ELECTION_IS_PRIVATE);
    assertThat(get("/sources/election/events").statusCode()).isEqualTo(401);
    assertThat(get("/sources/election/events?token=other").statusCode()).isEqualTo(403);
    Stream good = Stream.open(http, uri("/sources/election/events?token=good"), null);
    Stream brief = Stream.open(http, uri("/sources/election/events?token=brief"), null);
    assertThat(brief.next().event()).isEqualTo("available");
    await().atMost(Duration.ofSeconds(20)).until(brief::ended);
    assertThat(good.next().event()).isEqualTo("available");
    assertThat(good.ended()).isFalse();
    assertThat(hub.clientsExpired()).isEqualTo(1);
    good.close();
    brief.close();
  }

  @Test
  void theOriginPolicyAndCorsApplyToSources() throws Exception {
    startWeb(
        WebSettings.builder()
            .allowedOrigins(List.of("https://results.example"))
            .corsOrigins(List.of("https://results.example")));
    assertThat(get("/sources/election", "Origin", "https://evil.example").statusCode())
        .isEqualTo(403);
    HttpResponse<String> allowed = get("/sources/election", "Origin", "https://results.example");
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin"))
        .contains("https://results.example");
    assertThat(get("/sources/election").statusCode()).isEqualTo(200); // curl sends no Origin
    assertThat(get("/healthz", "Origin", "https://evil.example").statusCode()).isEqualTo(200);
  }

  @Test
  void theDashboardAndTheClientLibraryAreServed() throws Exception {
    startWeb(WebSettings.builder());
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(page.body()).contains("<script src=\"arithmospora.js\">");
    assertThat(get("/arithmospora.js").body()).contains("Arithmospora");
    assertThat(get("/defaults.js").body())
        .contains("window.ARITHMOSPORA_SOURCES = [\"election\"]")
        .contains(":9999/");
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    assertThat(get("/metrics").body()).isEqualTo("# TYPE up gauge\nup 1\n");
  }

  /** One event of a stream: its name, data and id as the browser would see them. */
  record Event(String event, String data, String id) {}

  /** A minimal event-stream reader, as EventSource parses (blocks with an id only set the id). */
  static final class Stream implements AutoCloseable {
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final InputStream body;
    private final Thread reader;

    private Stream(InputStream body) {
      this.body = body;
      this.reader = new Thread(this::read, "sse-test-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static Stream open(HttpClient http, URI uri, String lastEventId) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
      if (lastEventId != null) {
        b.header("Last-Event-ID", lastEventId);
      }
      HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .contains("text/event-stream; charset=utf-8");
      return new Stream(r.body());
    }

    private void read() {
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        String event = null;
        StringBuilder data = null;
        String id = null;
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isEmpty()) {
            if (data != null || id != null) {
              events.add(new Event(event, data == null ? null : data.toString(), id));
            }
            event = null;
            data = null;
            id = null;
          } else if (line.startsWith("event: ")) {
            event = line.substring(7);
          } else if (line.startsWith("data: ")) {
            data =
                data == null
                    ? new StringBuilder(line.substring(6))
                    : data.append('\n').append(line.substring(6));
          } else if (line.startsWith("id: ")) {
            id = line.substring(4);
          }
        }
      } catch (java.io.IOException e) {
        // closed by the test
      }
    }

    /** Whether the server ended the stream. */
    boolean ended() {
      return !reader.isAlive();
    }

    /** The next event with data, skipping id-only blocks. */
    Event next() throws InterruptedException {
      while (true) {
        Event e = events.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("an event within 10 s").isNotNull();
        if (e.data() != null) {
          return e;
        }
      }
    }

    /** The next id-only block: the client is caught up. */
    Event nextId() throws InterruptedException {
      while (true) {
        Event e = events.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("an id within 10 s").isNotNull();
        assertThat(e.data()).as("no event before the id").isNull();
        if (e.id() != null) {
          return e;
        }
      }
    }

    @Override
    public void close() throws java.io.IOException {
      body.close();
      reader.interrupt();
    }
  }
}
