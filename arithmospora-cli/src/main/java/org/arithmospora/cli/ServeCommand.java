package org.arithmospora.cli;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.arithmospora.cli.systemd.Signals;
import org.arithmospora.cli.systemd.SystemdNotifier;
import org.arithmospora.config.Assembly;
import org.arithmospora.config.Config;
import org.arithmospora.core.LiveSource;
import org.arithmospora.hub.DropReason;
import org.arithmospora.hub.Hub;
import org.arithmospora.ws.ArithmosporaServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/** {@code arithmospora serve -c CONF}: the Go {@code arithmospora}. */
@Command(
    name = "serve",
    description = {
      "Serve every source of the configuration over websockets until stopped (SIGTERM or Ctrl-C);",
      "with a [web] table, also health, metrics, snapshots, event streams and the dashboard over HTTP.",
      "Every 10 seconds one line per source: clients connected, updates sent and milestones met since the last line."
    })
final class ServeCommand extends ConfiguredCommand {
  private static final Duration STATUS_INTERVAL = Duration.ofSeconds(10);

  /** Set by tests and the demo to stop serving without a signal. */
  final CountDownLatch stop = new CountDownLatch(1);

  volatile Assembly running;

  @Override
  public Integer call() {
    Config config = loadConfig();
    if (config == null) {
      return USAGE;
    }
    if (config.listener().isEmpty()) {
      return usageError(
          config.file()
              + ": nothing to serve on: add [http] address = \"host:port\" or [https] with address, cert and key");
    }
    return serve(config);
  }

  int serve(Config config) {
    Logger log = LoggerFactory.getLogger(ServeCommand.class);
    OutOfMemoryExit.install(log);
    Signals.onTermination(stop::countDown);
    try (Assembly assembly = Assembly.of(config);
        SystemdNotifier systemd = SystemdNotifier.fromEnvironment()) {
      assembly.startSources();
      ArithmosporaServer server;
      try {
        server = assembly.startServer();
      } catch (IllegalArgumentException | IllegalStateException e) {
        log.error("{}", e.getMessage());
        return FAILURE;
      }
      String web = "";
      if (config.web().isPresent()) {
        try {
          web = ", HTTP on port " + assembly.startWeb().port();
        } catch (IllegalArgumentException | IllegalStateException e) {
          log.error("{}", e.getMessage());
          return FAILURE;
        }
      }
      running = assembly;
      // The watchdog asks what /healthz asks: are the loops alive? A Redis outage makes the
      // server unready (/readyz), not dead: restarting it would not bring Redis back.
      systemd.ready(
          "serving " + assembly.sources().size() + " source(s) on port " + server.port() + web,
          assembly::isLive);
      ScheduledExecutorService status =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "arithmospora-status");
                t.setDaemon(true);
                return t;
              });
      Map<String, long[]> last = new HashMap<>();
      long[] lastDelivery = new long[3];
      // Runs until shut down below. A failure is logged: thrown, it would end every later line.
      ScheduledFuture<?> unused =
          status.scheduleAtFixedRate(
              () -> {
                try {
                  logStatus(log, assembly, last);
                  logDelivery(log, assembly.server().hub(), lastDelivery);
                } catch (RuntimeException e) {
                  log.warn("Status line failed", e);
                }
              },
              STATUS_INTERVAL.toMillis(),
              STATUS_INTERVAL.toMillis(),
              TimeUnit.MILLISECONDS);
      stop.await();
      systemd.stopping();
      if (!config.websocket().drainTime().isZero()) {
        // /readyz says 503 from now on, so the load balancer sends no one here meanwhile.
        assembly.drain();
      }
      log.info("Shutting down: closing client connections");
      status.shutdownNow();
      running = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Stopped");
    return 0;
  }

  /**
   * One line on flow control, when there is anything to say: clients held back by their window,
   * messages conflated for them, clients dropped and why, since the last line.
   */
  private static void logDelivery(Logger log, Hub hub, long[] last) {
    long conflated = hub.messagesConflated();
    long stuck = hub.clientsDropped(DropReason.STUCK);
    long silent = hub.clientsDropped(DropReason.SILENT);
    int waiting = hub.clientsWaiting();
    if (waiting > 0 || conflated > last[0] || stuck > last[1] || silent > last[2]) {
      log.info(
          "Delivery: {} clients behind, {} older versions skipped for them; dropped {} that took nothing for {} s"
              + " (write_wait) and {} silent for {} s (pong_wait)",
          waiting,
          conflated - last[0],
          stuck - last[1],
          hub.settings().writeWait().toSeconds(),
          silent - last[2],
          hub.settings().pongWait().toSeconds());
    }
    last[0] = conflated;
    last[1] = stuck;
    last[2] = silent;
  }

  private static void logStatus(Logger log, Assembly assembly, Map<String, long[]> last) {
    for (LiveSource source : assembly.sources()) {
      long updates = source.updatesPublished();
      long milestones = source.milestonesAchieved();
      long[] before = last.getOrDefault(source.name(), new long[] {0, 0});
      last.put(source.name(), new long[] {updates, milestones});
      log.info(
          "Source '{}': {} clients; {} updates; {} milestones",
          source.name(),
          assembly.server().connectedClients(source.name()),
          updates - before[0],
          milestones - before[1]);
    }
  }
}
