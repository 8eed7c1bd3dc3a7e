package org.arithmospora.cli.systemd;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd (a {@code Type=notify} unit) when the server is ready, and keeps its watchdog fed
 * only while a health check passes, so that a wedged server is restarted. Java cannot write to the
 * notification socket (a Unix datagram socket) itself, so this runs {@code systemd-notify
 * --pid=<ours>}, which needs {@code NotifyAccess=all}. Outside systemd it does nothing.
 */
public final class SystemdNotifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);

  private final String command;
  private final boolean enabled;
  private final Duration watchdogInterval;
  private ScheduledExecutorService watchdog;

  SystemdNotifier(Map<String, String> env, String command) {
    this.command = command;
    this.enabled = env.containsKey("NOTIFY_SOCKET");
    long usec = 0;
    try {
      usec = Long.parseLong(env.getOrDefault("WATCHDOG_USEC", "0"));
    } catch (NumberFormatException e) {
      log.warn("Ignoring WATCHDOG_USEC={}: not a number", env.get("WATCHDOG_USEC"));
    }
    // Twice per period, as sd_watchdog_enabled(3) advises.
    this.watchdogInterval = usec > 0 ? Duration.ofNanos(usec * 1000 / 2) : null;
  }

  /** A notifier for this process's environment. */
  public static SystemdNotifier fromEnvironment() {
    return new SystemdNotifier(System.getenv(), "systemd-notify");
  }

  /** Reports readiness, then feeds the watchdog while {@code healthy} says so. */
  public void ready(String status, BooleanSupplier healthy) {
    if (!enabled) {
      return;
    }
    send("--ready", "--status=" + status);
    if (watchdogInterval != null) {
      watchdog =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "arithmospora-systemd-watchdog");
                t.setDaemon(true);
                return t;
              });
      // Runs until close(). A failing check is a failed check: thrown, it would stop the feeding
      // for good, and systemd would restart a server that may be healthy.
      ScheduledFuture<?> unused =
          watchdog.scheduleAtFixedRate(
              () -> {
                boolean ok;
                try {
                  ok = healthy.getAsBoolean();
                } catch (RuntimeException e) {
                  log.warn("Health check failed: {}", e.toString());
                  ok = false;
                }
                if (ok) {
                  send("WATCHDOG=1");
                } else {
                  log.warn("Health check failed: not feeding the systemd watchdog");
                }
              },
              0,
              watchdogInterval.toMillis(),
              TimeUnit.MILLISECONDS);
    }
  }

  /** Reports that the service is stopping. */
  public void stopping() {
    if (enabled) {
      send("STOPPING=1");
    }
  }

  private void send(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(command);
    cmd.add("--pid=" + ProcessHandle.current().pid());
    cmd.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      } else if (p.exitValue() != 0) {
        log.warn("{} exited with {}", String.join(" ", cmd), p.exitValue());
      }
    } catch (IOException e) {
      log.warn("Cannot notify systemd with {}: {}", command, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (watchdog != null) {
      watchdog.shutdownNow();
    }
  }
}
