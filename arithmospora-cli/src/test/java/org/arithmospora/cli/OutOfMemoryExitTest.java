package org.arithmospora.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A thread out of memory ends the process, with or without the JVM's own flag. */
class OutOfMemoryExitTest {
  private record Exit(int status, String output) {}

  private static Exit run(String... jvmOptions) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx32m");
    command.addAll(List.of(jvmOptions));
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), HungryProcess.class.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return new Exit(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Test
  void startedWithoutTheFlagItWarnsAndStillExitsWhenAThreadRunsOutOfMemory() throws Exception {
    Exit exit = run();
    assertThat(exit.output())
        .contains("started without -XX:+ExitOnOutOfMemoryError")
        .contains("arithmospora: out of memory; exiting")
        .doesNotContain("STILL HERE");
    assertThat(exit.status()).isEqualTo(OutOfMemoryExit.STATUS);
  }

  @Test
  void withTheLaunchersFlagTheJvmExitsAndNothingIsSaidAtStartUp() throws Exception {
    Exit exit = run("-XX:+ExitOnOutOfMemoryError");
    assertThat(exit.output())
        .doesNotContain("started without -XX:+ExitOnOutOfMemoryError")
        .contains("Terminating due to java.lang.OutOfMemoryError")
        .doesNotContain("STILL HERE");
    assertThat(exit.status()).isEqualTo(3);
  }
}
