package org.arithmospora.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code arithmospora serve -c CONF} running in the test's JVM until closed; closing it stops the
 * server as a signal would and checks that it exited 0.
 */
final class Serving implements AutoCloseable {
  final ServeCommand serve = new ServeCommand();
  private final CompletableFuture<Integer> exit;

  private Serving(Path conf) {
    serve.options = new CommonOptions();
    serve.options.config = conf;
    exit = CompletableFuture.supplyAsync(serve::call);
  }

  /** Serves {@code conf}, returning once its websocket server and its HTTP side are up. */
  static Serving withWeb(Path conf) {
    Serving s = new Serving(conf);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> s.serve.running != null && s.serve.running.web() != null);
    return s;
  }

  /** A port free on loopback a moment ago, to write into a configuration. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws ExecutionException, TimeoutException {
    serve.stop.countDown();
    try {
      assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the server stopped", e);
    }
  }
}
