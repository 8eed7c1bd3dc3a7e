package org.arithmospora.examples;

import java.net.InetSocketAddress;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.store.InMemoryStore;
import org.arithmospora.core.type.StatTypeRegistry;
import org.arithmospora.ws.ArithmosporaServer;
import org.arithmospora.ws.WebSocketSettings;

/** The README's embedding example, whole: the README shows this file, and a test runs it. */
public final class ReadmeExample {
  private ReadmeExample() {}

  /** Serves one source on {@code port} (0: any free one) and returns the running server. */
  public static ArithmosporaServer serve(int port) {
    SourceDefinition definition =
        SourceDefinition.builder("hustings")
            .stat("proportion", "turnout")
            .stat(StatDefinition.of("other", "president").withDataType("ranked"))
            .build();
    StatTypeRegistry types =
        StatTypeRegistry.builder().registerDefaults().register(new RankedType()).build();

    InMemoryStore store = new InMemoryStore(); // or RedisStore.connect(settings).loader(prefix)
    store.stat("turnout").set("current", 120).set("total", 1000);
    store.stat("president").set("Avery Quinn", 70).set("Blake Ruiz", 50);

    LiveSource source = LiveSource.builder(definition).types(types).loader(store).build();
    source.start();
    ArithmosporaServer server =
        ArithmosporaServer.builder(
                WebSocketSettings.builder().address(new InetSocketAddress(port)).build())
            .source(source)
            .build();
    server.start(); // ws://localhost:<port>/hustings

    store.stat("president").increment("Avery Quinn", 1).publish(); // every client gets it
    return server;
  }
}
