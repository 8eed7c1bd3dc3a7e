package org.arithmospora.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose process runs out of file descriptors stops accepting, says so once, and accepts
 * again by itself once descriptors are free. The server runs in a child process started with {@code
 * ulimit -n 200}; the clients are this test's.
 */
@EnabledOnOs(OS.LINUX) // ulimit through bash, as a service's LimitNOFILE would set it
class FileDescriptorExhaustionTest {
  @TempDir Path dir;

  @Test
  void acceptingSurvivesRunningOutOfFileDescriptors() throws Exception {
    Path log = dir.resolve("server.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process server =
        new ProcessBuilder(
                "bash",
                "-c",
                "ulimit -n 200 && exec \"$0\" -Xmx128m -Dorg.slf4j.simpleLogger.defaultLogLevel=info"
                    + " -cp \"$1\" org.arithmospora.ws.StarvedServer",
                java,
                System.getProperty("java.class.path"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    List<Socket> flood = new ArrayList<>();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> port(log) > 0);
      int port = port(log);
      // More connections than the process has descriptors: the kernel queues the rest.
      for (int i = 0; i < 400; i++) {
        flood.add(new Socket(InetAddress.getLoopbackAddress(), port));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> read(log).contains("Cannot accept new clients"));
      for (Socket s : flood) {
        s.close();
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> read(log).contains("Accepting new clients again"));
      // Served as if nothing had happened.
      try (TestClient c = TestClient.connect("ws://127.0.0.1:" + port + "/election")) {
        assertThat(c.nextJson().get("event").asText()).isEqualTo("available");
        assertThat(c.nextJson().get("event").asText()).isEqualTo("stats:proportion:total");
      }
      String text = read(log);
      assertThat(text.split("Cannot accept new clients", -1).length - 1)
          .as("said once per burst, not per connection:%n%s", text)
          .isEqualTo(1);
      assertThat(text).contains("too many open files, limit 200").doesNotContain("Exception");
      // Not accepting while short, but alive: a restart would drop every connected client.
      assertThat(text.lines().filter(l -> l.startsWith("ACCEPTING ")).toList())
          .containsSubsequence(
              "ACCEPTING true RESPONSIVE true",
              "ACCEPTING false RESPONSIVE true",
              "ACCEPTING true RESPONSIVE true");
      assertThat(server.isAlive()).isTrue();
    } finally {
      for (Socket s : flood) {
        s.close();
      }
      server.getOutputStream().close();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private static int port(Path log) throws IOException {
    for (String line : read(log).lines().toList()) {
      if (line.startsWith("PORT ")) {
        return Integer.parseInt(line.substring(5).trim());
      }
    }
    return 0;
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }
}
