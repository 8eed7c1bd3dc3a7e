package org.arithmospora.examples;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.MilestoneDefinition;
import org.arithmospora.core.MilestoneGroup;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.store.InMemoryStore;
import org.arithmospora.core.type.StatTypeRegistry;
import org.arithmospora.ws.ArithmosporaServer;
import org.arithmospora.ws.WebSocketSettings;

/**
 * Embedding Arithmospora in your own JVM program, without Redis: register a custom stat type, feed
 * values from your code through the in-memory store, and serve them over websockets.
 *
 * <pre>examples/run embedded [PORT] [SECONDS]</pre>
 *
 * then connect to {@code ws://localhost:8090/hustings}, e.g. with the dashboard: {@code
 * http://localhost:8080/?url=ws://localhost:8090/hustings} while the demo runs.
 */
public final class EmbeddedServer {
  private static final List<String> CANDIDATES =
      List.of("Avery Quinn", "Blake Morgan", "Casey Rivera");

  private EmbeddedServer() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8090;
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : Long.MAX_VALUE;
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    run(port, Duration.ofSeconds(Math.min(seconds, Long.MAX_VALUE / 2_000_000_000L)), stop, null);
  }

  /**
   * Serves until {@code stop} or {@code runFor}, calling {@code started} with the server once it
   * listens.
   */
  static void run(
      int port,
      Duration runFor,
      CountDownLatch stop,
      java.util.function.Consumer<ArithmosporaServer> started)
      throws InterruptedException {
    // 1. The types: the five built-ins plus ours.
    StatTypeRegistry types =
        StatTypeRegistry.ofDefaults().toBuilder().register(new RankedType()).build();

    // 2. What the source holds: a ranked race, a turnout proportion, a milestone on the race.
    SourceDefinition hustings =
        SourceDefinition.builder("hustings")
            .stat(StatDefinition.of(StatDefinition.OTHER, "president").withDataType("ranked"))
            .stat(StatDefinition.of(StatDefinition.PROPORTION, "total"))
            .milestones(
                new MilestoneGroup(
                    "race",
                    StatDefinition.OTHER,
                    "president",
                    List.of(
                        new MilestoneDefinition(
                            "clear lead", null, "margin", 25, ">=", "A clear leader has emerged"))))
            .build();

    // 3. The store we feed, the live source reading it, the server.
    InMemoryStore store = new InMemoryStore();
    store.stat("total").set("total", 2000);
    try (LiveSource source = LiveSource.builder(hustings).types(types).loader(store).build();
        ArithmosporaServer server =
            ArithmosporaServer.builder(WebSocketSettings.builder().address(":" + port).build())
                .source(source)
                .build()) {
      source.start();
      server.start();
      System.out.println("Serving ws://localhost:" + server.port() + "/hustings");
      if (started != null) {
        started.accept(server);
      }

      // 4. Feed it: our own code counts votes and announces the change, as PUBLISH would.
      Random random = new Random();
      long until = System.nanoTime() + runFor.toNanos();
      while (!stop.await(200, TimeUnit.MILLISECONDS) && System.nanoTime() < until) {
        String candidate = CANDIDATES.get(random.nextInt(random.nextInt(3) + 1));
        store.stat("president").increment(candidate, 1).publish();
        store.stat("total").increment("current", 1).publish();
      }
    }
  }
}
