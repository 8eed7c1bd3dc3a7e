package org.arithmospora.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.arithmospora.cli.demo.Chromium;
import org.arithmospora.config.Assembly;
import org.arithmospora.core.DebounceSettings;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.Stat;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.type.ProportionData;
import org.arithmospora.core.type.SingleValueData;
import org.arithmospora.redis.RedisStore;
import org.arithmospora.redis.RedisTestServer;
import org.arithmospora.ws.ArithmosporaServer;
import org.arithmospora.ws.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples do what their READMEs say. */
class ExamplesTest {

  @Test
  void theEmbeddedServerServesItsCustomType() throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    CompletableFuture<ArithmosporaServer> started = new CompletableFuture<>();
    CompletableFuture<Void> run =
        CompletableFuture.runAsync(
            () -> {
              try {
                EmbeddedServer.run(0, Duration.ofMinutes(2), stop, started::complete);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    ArithmosporaServer server = started.get(30, TimeUnit.SECONDS);
    TestClient client = TestClient.connect("ws://127.0.0.1:" + server.port() + "/hustings");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                client.messages.stream()
                    .anyMatch(
                        m ->
                            m.contains("\"event\":\"stats:other:president\"")
                                && m.contains("\"ranking\":[{\"name\"")));
    assertThat(client.messages.peek())
        .isEqualTo(
            "{\"event\":\"available\",\"payload\":{\"other\":[\"president\"],\"proportion\":[\"total\"]}}");
    client.close();
    stop.countDown();
    run.get(20, TimeUnit.SECONDS);
  }

  @Test
  void whatTheWriterWritesIsWhatArithmosporaReads() throws Exception {
    try (RedisTestServer redis = RedisTestServer.start();
        RedisStore store = RedisStore.connect(redis.settings().build())) {
      SourceDefinition def =
          SourceDefinition.builder("election")
              .startTime(Instant.now().minusSeconds(600))
              .endTime(Instant.now().plusSeconds(600))
              .timedPeriod(60, 5)
              .stat("proportion", "total")
              .stat("proportion", "studytypes")
              .stat("timed", "turnout")
              .stat(StatDefinition.of("other", "totalvotes").withDataType("single_value"))
              .build();
      RedisWriter writer = new RedisWriter(redis.writer());
      writer.setUp();
      try (LiveSource source =
          LiveSource.builder(def)
              .loader(store.loader(RedisWriter.PREFIX))
              .debounce(DebounceSettings.ofMillis(20, 100))
              .build()) {
        source.start();
        await().atMost(Duration.ofSeconds(10)).until(store::isSubscriberConnected);
        for (int i = 0; i < 10; i++) {
          writer.vote(Instant.now());
        }
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  assertThat(
                          source
                              .find("proportion", "total")
                              .flatMap(Stat::current)
                              .orElseThrow()
                              .data())
                      .isEqualTo(new ProportionData(10, 5000));
                  assertThat(
                          source
                              .find("other", "totalvotes")
                              .flatMap(Stat::current)
                              .orElseThrow()
                              .data())
                      .isEqualTo(new SingleValueData(10));
                  assertThat(
                          source
                              .find("proportion", "studytypes")
                              .flatMap(Stat::current)
                              .orElseThrow()
                              .dataPoints())
                      .containsOnlyKeys("PG", "UG");
                  assertThat(
                          source
                              .find("timed", "turnout")
                              .flatMap(Stat::current)
                              .orElseThrow()
                              .dataPoints()
                              .get("60")
                              .data()
                              .field("sum"))
                      .hasValue(10);
                });
      }
    }
  }

  @Test
  void theConfiguredServerServesAGoFormatFile(@TempDir Path dir) throws Exception {
    try (RedisTestServer redis = RedisTestServer.start()) {
      int port = freePort();
      Path conf =
          goConfig(
              dir.resolve("election.conf"), redis, port, "proportion = [ { name = \"total\" } ]");
      RedisWriter writer = new RedisWriter(redis.writer());
      writer.setUp();
      CountDownLatch stop = new CountDownLatch(1);
      CompletableFuture<Assembly> started = new CompletableFuture<>();
      CompletableFuture<Void> run =
          CompletableFuture.runAsync(
              () -> {
                try {
                  ConfiguredServer.run(conf, stop, started::complete);
                } catch (Exception e) {
                  started.completeExceptionally(e);
                }
              });
      Assembly assembly = started.get(30, TimeUnit.SECONDS);
      assertThat(assembly.server().port()).isEqualTo(port);
      TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/election");
      writer.vote(Instant.now());
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  client.messages.stream()
                      .anyMatch(
                          m ->
                              m.contains("\"event\":\"stats:proportion:total\"")
                                  && m.contains("\"current\":1")));
      client.close();
      stop.countDown();
      run.get(20, TimeUnit.SECONDS);
    }
  }

  /**
   * The examples jar is a plugin: its RankedType is found by ServiceLoader when the jar is in the
   * plugins directory of the runnable jar, which runs in a JVM of its own without the examples on
   * its class path, as an installed server would.
   */
  @Test
  void theRankedTypeServesFromAPluginJarThroughServe(@TempDir Path dir) throws Exception {
    Path runnable =
        Path.of("..", "arithmospora-cli", "target", "arithmospora.jar").toAbsolutePath();
    assertThat(runnable).as("the runnable jar, built before the examples").exists();
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Path classes =
        Path.of(RankedType.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    jar(classes, plugins.resolve("arithmospora-examples.jar"));
    try (RedisTestServer redis = RedisTestServer.start()) {
      redis
          .writer()
          .hset(
              RedisWriter.PREFIX + ":stats:candidates:data", Map.of("Avery", "31", "Blake", "19"));
      int port = freePort();
      Path conf =
          goConfig(
              dir.resolve("ranked.conf"),
              redis,
              port,
              "other = [ { name = \"candidates\", data_type = \"ranked\" } ]");
      int webPort = freePort();
      Files.writeString(
          conf, "[web]\naddress = \"127.0.0.1:" + webPort + "\"\n", StandardOpenOption.APPEND);
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      // Without the plugin the type is unknown, and said so with the known ones.
      Process check =
          new ProcessBuilder(java, "-jar", runnable.toString(), "check", "-c", conf.toString())
              .redirectErrorStream(true)
              .start();
      String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(check.exitValue()).as(checked).isEqualTo(2);
      assertThat(checked).contains("unknown data type 'ranked'");

      Path log = dir.resolve("serve.log");
      Process serve =
          new ProcessBuilder(
                  java,
                  "-jar",
                  runnable.toString(),
                  "serve",
                  "-c",
                  conf.toString(),
                  "--plugins",
                  plugins.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> Files.readString(log).contains("Serving"));
        assertThat(Files.readString(log)).contains("ranked").contains("1 plugin jar(s)");
        TestClient client = TestClient.connect("ws://127.0.0.1:" + port + "/election");
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    client.messages.stream()
                        .anyMatch(
                            m ->
                                m.contains("\"event\":\"stats:other:candidates\"")
                                    && m.contains("\"leader\":\"Avery\"")));
        client.close();
        dashboardShowsTheCustomType(dir, webPort);
      } finally {
        serve.destroy();
        assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  @Test
  void theReadmeShowsTheEmbeddingExampleAsItIsAndItRuns() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String example =
        Files.readString(
            Path.of(
                "src", "main", "java", "org", "arithmospora", "examples", "ReadmeExample.java"));
    assertThat(readme)
        .as("README.md shows ReadmeExample.java whole")
        .contains("```java\n" + example + "```");

    ArithmosporaServer server = ReadmeExample.serve(0);
    try {
      TestClient client = TestClient.connect("ws://127.0.0.1:" + server.port() + "/hustings");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  client.messages.stream()
                      .anyMatch(
                          m ->
                              m.contains("\"event\":\"stats:other:president\"")
                                  && m.contains("\"votes\":71")));
      assertThat(client.messages)
          .anyMatch(m -> m.contains("\"event\":\"stats:proportion:turnout\""));
      client.close();
    } finally {
      server.stop(Duration.ofSeconds(5));
    }
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket free = new ServerSocket(0)) {
      return free.getLocalPort();
    }
  }

  /** A Go-format file serving source "election" with one stats line, on {@code port}. */
  private static Path goConfig(Path file, RedisTestServer redis, int port, String stats)
      throws java.io.IOException {
    Files.writeString(
        file,
        String.join(
            "\n",
            "[redis]",
            "server = \"127.0.0.1:" + redis.port() + "\"",
            "db = 1",
            "[http]",
            "address = \"127.0.0.1:" + port + "\"",
            "[[sources]]",
            "name = \"election\"",
            "redis_prefix = \"" + RedisWriter.PREFIX + "\"",
            "  [sources.stats]",
            "  " + stats,
            ""));
    return file;
  }

  /**
   * The dashboard, which knows nothing of the ranked type, shows its data as fields (its leader,
   * its ranking), without "NaN" and without console errors. CI requires Chromium; elsewhere the
   * check is left out when there is none.
   */
  private static void dashboardShowsTheCustomType(Path dir, int webPort) throws Exception {
    Optional<Path> chromium = Chromium.find();
    if ("1".equals(System.getenv("ARITHMOSPORA_REQUIRE_BROWSER"))) {
      assertThat(chromium).as("Chromium (apt-get install chromium) is required here").isPresent();
    }
    if (chromium.isEmpty()) {
      return;
    }
    Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
    try (Chromium browser =
        Chromium.open(chromium.get(), profile, "http://127.0.0.1:" + webPort + "/")) {
      browser.recordErrors();
      await()
          .atMost(Chromium.timeout())
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                String shown = browser.eval("document.getElementById('tables').textContent");
                return shown != null && shown.contains("leader") && shown.contains("Avery");
              });
      String text = browser.eval("document.body.textContent");
      assertThat(text).doesNotContain("NaN").contains("Blake");
      assertThat(browser.errors()).as("console errors, exceptions and failed loads").isEmpty();
    }
  }

  /** Writes every file below {@code classes} into a jar. */
  private static void jar(Path classes, Path jar) throws Exception {
    try (java.util.jar.JarOutputStream out =
            new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
        java.util.stream.Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(
            new java.util.jar.JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
  }
}
