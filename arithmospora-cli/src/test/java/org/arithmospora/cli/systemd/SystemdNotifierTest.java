package org.arithmospora.cli.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness and the watchdog, with a stand-in for systemd-notify that records its arguments. */
class SystemdNotifierTest {
  @TempDir Path dir;

  private Path fakeNotify(Path record) throws IOException {
    Path script = dir.resolve("systemd-notify");
    Files.writeString(script, "#!/bin/sh\necho \"$*\" >> '" + record + "'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  @Test
  void readinessThenAWatchdogFedOnlyWhileHealthy() throws Exception {
    Path record = dir.resolve("record");
    Map<String, String> env =
        Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "400000");
    AtomicBoolean healthy = new AtomicBoolean(true);
    try (SystemdNotifier notifier = new SystemdNotifier(env, fakeNotify(record).toString())) {
      notifier.ready("serving", healthy::get);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> lines(record).stream().filter(l -> l.endsWith("WATCHDOG=1")).count() >= 2);
      String pid = "--pid=" + ProcessHandle.current().pid();
      assertThat(lines(record).get(0)).isEqualTo(pid + " --ready --status=serving");

      healthy.set(false);
      Thread.sleep(300); // let a feed that had already passed its check finish
      long fed = lines(record).stream().filter(l -> l.endsWith("WATCHDOG=1")).count();
      Thread.sleep(1000);
      assertThat(lines(record).stream().filter(l -> l.endsWith("WATCHDOG=1")).count())
          .as("no feeding while unhealthy")
          .isEqualTo(fed);
      notifier.stopping();
      assertThat(lines(record)).last().isEqualTo(pid + " STOPPING=1");
    }
  }

  @Test
  void outsideSystemdNothingIsSent() throws Exception {
    Path record = dir.resolve("record");
    try (SystemdNotifier notifier = new SystemdNotifier(Map.of(), fakeNotify(record).toString())) {
      notifier.ready("serving", () -> true);
      notifier.stopping();
    }
    assertThat(record).doesNotExist();
  }
}
