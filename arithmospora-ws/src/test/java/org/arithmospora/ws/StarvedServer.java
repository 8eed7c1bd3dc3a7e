package org.arithmospora.ws;

import java.time.Duration;
import java.time.Instant;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.ManualScheduler;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.store.InMemoryStore;

/**
 * A server for tests that need a process of its own (a low file-descriptor limit): serves one
 * source on a free loopback port, prints {@code PORT <n>}, and runs until its standard input
 * closes.
 */
public final class StarvedServer {
  private StarvedServer() {}

  public static void main(String[] args) throws Exception {
    InMemoryStore store = new InMemoryStore();
    store.stat("total").set("current", 71).set("total", 200);
    LiveSource source =
        LiveSource.builder(SourceDefinition.builder("election").stat("proportion", "total").build())
            .loader(store)
            .scheduler(new ManualScheduler(Instant.parse("2017-03-03T12:00:00Z")))
            .build();
    source.start();
    ArithmosporaServer server =
        ArithmosporaServer.builder(
                WebSocketSettings.builder()
                    .address("127.0.0.1:0")
                    // Long enough that only the test's own closing frees the descriptors.
                    .handshakeTimeout(Duration.ofMinutes(5))
                    .build())
            .source(source)
            .build();
    server.start();
    System.out.println("PORT " + server.port());
    System.out.flush();
    // What a health check would see, each time it changes: printing needs no new descriptor.
    Thread watch =
        new Thread(
            () -> {
              String last = "";
              while (true) {
                String now =
                    "ACCEPTING "
                        + server.isAccepting()
                        + " RESPONSIVE "
                        + server.isResponsive(Duration.ofSeconds(5));
                if (!now.equals(last)) {
                  System.out.println(now);
                  last = now;
                }
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    watch.setDaemon(true);
    watch.start();
    while (System.in.read() >= 0) {
      // Until the test closes our input.
    }
    server.stop(Duration.ofSeconds(2));
    source.close();
  }
}
