package org.arithmospora.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The load tool's clients against a server that writes JSON as the Go program did, with spaces
 * ({@code { "loadstamp": 123 }}) and a message split into fragments: any server speaking the
 * protocol can be measured.
 */
class LoadClientsTest {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  /** A websocket server on a raw socket, one thread per client, that sends what the test says. */
  private static final class SpacedServer implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0);
    final List<OutputStream> clients = new CopyOnWriteArrayList<>();
    final Thread acceptor = new Thread(this::accept, "spaced-server");

    SpacedServer() throws Exception {
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void accept() {
      try {
        while (true) {
          Socket s = socket.accept();
          InputStream in = s.getInputStream();
          StringBuilder head = new StringBuilder();
          while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.read());
          }
          String key =
              head.toString()
                  .lines()
                  .filter(l -> l.startsWith("Sec-WebSocket-Key:"))
                  .findFirst()
                  .orElseThrow()
                  .substring("Sec-WebSocket-Key:".length())
                  .trim();
          String accept =
              Base64.getEncoder()
                  .encodeToString(
                      MessageDigest.getInstance("SHA-1")
                          .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
          OutputStream out = s.getOutputStream();
          out.write(
              ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      + "Sec-WebSocket-Accept: "
                      + accept
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          text(out, "{ \"event\": \"available\", \"payload\": { \"other\": [ \"loadstamp\" ] } }");
          clients.add(out);
        }
      } catch (Exception e) {
        // Closed.
      }
    }

    void stamp(long micros, boolean fragmented) throws Exception {
      String json =
          "{ \"event\": \"stats:other:loadstamp\", \"payload\": { \"name\": \"loadstamp\", "
              + "\"data\": { \"loadstamp\": "
              + micros
              + " }, \"dataPoints\": { } } }";
      for (OutputStream out : clients) {
        if (fragmented) {
          int half = json.length() / 2;
          frame(out, 0x01, json.substring(0, half));
          frame(out, 0x80, json.substring(half));
        } else {
          text(out, json);
        }
      }
    }

    private static void text(OutputStream out, String json) throws Exception {
      frame(out, 0x81, json);
    }

    private static synchronized void frame(OutputStream out, int first, String text)
        throws Exception {
      byte[] b = text.getBytes(StandardCharsets.UTF_8);
      out.write(first);
      if (b.length < 126) {
        out.write(b.length);
      } else {
        out.write(126);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
      }
      out.write(b);
      out.flush();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void protocolTwoClientsSubscribeAndReadStampsFromDeltasAndBatches() throws Exception {
    org.arithmospora.core.store.InMemoryStore store =
        new org.arithmospora.core.store.InMemoryStore();
    store.stat(LoadWriter.STAMP_STAT).setValue(1);
    store.stat("votes").setValue(1);
    org.arithmospora.core.LiveSource source =
        org.arithmospora.core.LiveSource.builder(
                org.arithmospora.core.SourceDefinition.builder("loadtest")
                    .stat(
                        org.arithmospora.core.StatDefinition.of("other", LoadWriter.STAMP_STAT)
                            .withDataType("single_value"))
                    .stat(
                        org.arithmospora.core.StatDefinition.of("other", "votes")
                            .withDataType("single_value"))
                    .build())
            .loader(store)
            .debounce(org.arithmospora.core.DebounceSettings.ofMillis(1, 5))
            .build();
    source.start();
    org.arithmospora.ws.ArithmosporaServer server =
        org.arithmospora.ws.ArithmosporaServer.builder(
                org.arithmospora.ws.WebSocketSettings.builder().address("127.0.0.1:0").build())
            .source(source)
            .build();
    server.start();
    try (LoadClients load =
        new LoadClients(
            URI.create("ws://127.0.0.1:" + server.port() + "/loadtest"),
            List.of(LoadPopulation.parse("p2-fast=3", 0), LoadPopulation.parse("fast=2", 0)),
            1,
            1)) {
      load.connectAll(10);
      await().atMost(Duration.ofSeconds(10)).until(() -> load.snapshotsComplete.get() == 5);
      load.recording = true;
      for (int i = 0; i < 2; i++) {
        long stamp = LoadClients.nowMicros();
        store.stat(LoadWriter.STAMP_STAT).setValue(stamp);
        store.stat("votes").setValue(2 + i);
        // Both re-read in one round: a batch frame of two deltas for the protocol-2 clients.
        source.refreshAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> load.stale(stamp) == 0);
      }
      assertThat(server.hub().deltasSent()).isGreaterThanOrEqualTo(2 * 3 * 2);
      assertThat(load.latency.getIntervalHistogram().getTotalCount()).isEqualTo(10);
      assertThat(load.dropped.get()).isZero();
    } finally {
      server.stop(Duration.ofSeconds(2));
      source.close();
    }
  }

  @Test
  void readsServerSentEventsFromTheHttpSide() throws Exception {
    org.arithmospora.core.store.InMemoryStore store =
        new org.arithmospora.core.store.InMemoryStore();
    store.stat(LoadWriter.STAMP_STAT).setValue(1);
    org.arithmospora.core.LiveSource source =
        org.arithmospora.core.LiveSource.builder(
                org.arithmospora.core.SourceDefinition.builder("loadtest")
                    .stat(
                        org.arithmospora.core.StatDefinition.of("other", LoadWriter.STAMP_STAT)
                            .withDataType("single_value"))
                    .build())
            .loader(store)
            .debounce(org.arithmospora.core.DebounceSettings.ofMillis(1, 5))
            .build();
    source.start();
    org.arithmospora.hub.Hub hub =
        org.arithmospora.hub.Hub.builder(org.arithmospora.hub.DeliverySettings.builder().build())
            .source(source)
            .build();
    hub.start();
    org.arithmospora.http.WebServer web =
        org.arithmospora.http.WebServer.builder(
                org.arithmospora.http.WebSettings.builder()
                    .address(
                        new java.net.InetSocketAddress(
                            java.net.InetAddress.getLoopbackAddress(), 0))
                    .build())
            .source(source)
            .hub(hub)
            .build();
    web.start();
    try (LoadClients load =
        new LoadClients(
            URI.create("ws://127.0.0.1:1/unused"),
            URI.create("http://127.0.0.1:" + web.port() + "/sources/loadtest/events"),
            List.of(LoadPopulation.parse("sse-fast=3", 0), LoadPopulation.parse("sse-parse=2", 0)),
            1,
            1)) {
      load.connectAll(10);
      await().atMost(Duration.ofSeconds(10)).until(() -> load.snapshotsComplete.get() == 5);
      load.recording = true;
      long stamp = LoadClients.nowMicros();
      store.stat(LoadWriter.STAMP_STAT).setValue(stamp).publish();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.stale(stamp) == 0);
      assertThat(load.groups())
          .extracting(g -> g.population.label())
          .containsExactly("sse-fast", "sse-parse");
      assertThat(load.latency.getIntervalHistogram().getTotalCount()).isEqualTo(5);
      assertThat(load.dropped.get()).isZero();
    } finally {
      web.close();
      hub.stop();
      source.close();
    }
  }

  @Test
  void severalUrlsShareEachPopulationAndAreReportedServerByServer() throws Exception {
    try (SpacedServer a = new SpacedServer();
        SpacedServer b = new SpacedServer()) {
      URI first = URI.create("ws://127.0.0.1:" + a.socket.getLocalPort() + "/x");
      URI second = URI.create("ws://127.0.0.1:" + b.socket.getLocalPort() + "/x");
      try (LoadClients load =
          new LoadClients(
              List.of(first, second),
              null,
              List.of(LoadPopulation.parse("fast=5", 0), LoadPopulation.parse("parse=2", 0)),
              1,
              1)) {
        load.connectAll(10);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> a.clients.size() == 4 && b.clients.size() == 3);
        long snapshot = LoadClients.nowMicros();
        a.stamp(snapshot, false);
        b.stamp(snapshot, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> load.snapshotsComplete.get() == 7);
        load.recording = true;
        // Only the first server has news: its clients are fresh, the second's are stale.
        long news = LoadClients.nowMicros();
        a.stamp(news, true);
        await().atMost(Duration.ofSeconds(10)).until(() -> load.stale(news) == 3);
        String aName = "127.0.0.1:" + a.socket.getLocalPort();
        String bName = "127.0.0.1:" + b.socket.getLocalPort();
        assertThat(load.groups())
            .extracting(g -> g.label + "=" + g.clients.size())
            .containsExactly(
                "fast@" + aName + "=3", "fast@" + bName + "=2",
                "parse@" + aName + "=1", "parse@" + bName + "=1");
        for (LoadClients.Group g : load.groups()) {
          assertThat(g.freshness.getIntervalHistogram().getTotalCount())
              .as(g.label)
              .isEqualTo(g.label.endsWith(aName) ? g.clients.size() : 0);
        }
      }
    }
  }

  @Test
  void readsStampsFromSpacedAndFragmentedJsonInEveryPopulation() throws Exception {
    try (SpacedServer server = new SpacedServer()) {
      List<LoadPopulation> populations = new ArrayList<>();
      populations.add(LoadPopulation.parse("fast=3", 0));
      populations.add(LoadPopulation.parse("parse=3", 0));
      populations.add(LoadPopulation.parse("throttle:64k=3", 0));
      try (LoadClients load =
          new LoadClients(
              URI.create("ws://127.0.0.1:" + server.socket.getLocalPort() + "/x"),
              populations,
              1,
              1)) {
        load.connectAll(10);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.clients.size() == 9);
        long first = LoadClients.nowMicros();
        server.stamp(first, false); // the snapshot
        await().atMost(Duration.ofSeconds(10)).until(() -> load.snapshotsComplete.get() == 9);
        load.recording = true;
        long second = LoadClients.nowMicros();
        server.stamp(second, true);
        await().atMost(Duration.ofSeconds(10)).until(() -> load.stale(second) == 0);
        load.sampleAges(second + 250_000, first);
        for (LoadClients.Group g : load.groups()) {
          assertThat(g.freshness.getIntervalHistogram().getTotalCount())
              .as(g.population.label())
              .isEqualTo(3);
          assertThat(g.messages.sum()).as(g.population.label()).isEqualTo(3);
          synchronized (g) {
            // Sampled 250 ms after the stamp was written.
            assertThat(g.ages.getTotalCount()).isEqualTo(3);
            assertThat(g.ages.getValueAtPercentile(50)).isBetween(240_000L, 260_000L);
          }
          assertThat(g.droppedCount()).isZero();
        }
      }
    }
  }
}
