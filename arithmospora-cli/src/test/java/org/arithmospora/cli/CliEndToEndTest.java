package org.arithmospora.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.arithmospora.redis.RedisTestServer;
import org.arithmospora.ws.TestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/** The commands against a real redis-server and real websocket clients. */
class CliEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RedisTestServer redis;

  @TempDir Path dir;
  private int httpPort;
  private Path conf;

  @BeforeAll
  static void startRedis() {
    redis = RedisTestServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void setUp() throws IOException {
    RedisClient w = redis.writer();
    w.flushDB();
    w.hset("e:stats:total:data", Map.of("current", "71", "total", "200"));
    w.hset("e:rolling:5m:stats:total:data", Map.of("current", "3", "total", "200", "peak", "9"));
    w.hset("e:rolling:1h:stats:total:data", Map.of("current", "30", "total", "200", "peak", "40"));
    w.sadd("e:stats:studytypes:datapoints", "PG");
    w.hset("e:stats:studytypes:datapoints:PG:data", Map.of("current", "5", "total", "10"));
    w.set("e:stats:totalvotes:data", "2345");
    try (ServerSocket s = new ServerSocket(0)) {
      httpPort = s.getLocalPort();
    }
    conf = dir.resolve("arithmospora.conf");
    Files.writeString(
        conf,
        """
        [redis]
        server = "127.0.0.1:%d"
        db = 1
        [http]
        address = "127.0.0.1:%d"
        [debounce]
        min_time_ms = 20
        max_time_ms = 100
        [[sources]]
        name = "election"
        redis_prefix = "e"
          [sources.stats]
          proportion = [ { name = "total", loader_type = "redis" }, { name = "studytypes", loader_type = "redis" } ]
          rolling = [ { name = "total", period = "5m", loader_type = "redis" },
                      { name = "total", period = "1h", loader_type = "redis" } ]
          other = [ { name = "totalvotes", data_type = "single_value", loader_type = "redis" } ]
        """
            .formatted(redis.port(), httpPort));
  }

  private static TestClient connect(int port) {
    return TestClient.connect("ws://127.0.0.1:" + port + "/election");
  }

  @Test
  void serveSendsStatsAndTheirUpdates() throws Exception {
    ServeCommand serve = new ServeCommand();
    serve.options = new CommonOptions();
    serve.options.config = conf;
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(serve::call);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> serve.running != null && serve.running.server() != null);

    TestClient client = connect(httpPort);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.messages.size() >= 6);
    assertThat(JSON.readTree(client.messages.peek()).get("event").asText()).isEqualTo("available");
    assertThat(client.got("\"event\":\"stats:rolling:1h:total\"")).isTrue();

    redis.writer().hset("e:stats:total:data", "current", "72");
    redis.writer().publish("e:stats:total:updates", "1");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.got("\"current\":72"));

    serve.stop.countDown();
    assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
    // Stopping drains: 1012 (service restart) tells the client to come back, to another server.
    assertThat(client.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1012);
  }

  @Test
  void listPrintsJsonKeyedByStatKey() throws Exception {
    ListCommand list = new ListCommand();
    list.options = new CommonOptions();
    list.options.config = conf;
    list.format = ListCommand.Format.json;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    list.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertThat(list.call()).isZero();

    JsonNode json = JSON.readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(json.fieldNames())
        .toIterable()
        .containsExactly("proportionStats", "rollingStats", "otherStats");
    assertThat(json.get("rollingStats").fieldNames())
        .toIterable()
        .containsExactly("5m:total", "1h:total");
    assertThat(json.get("rollingStats").get("1h:total").get("data").get("peak").asLong())
        .isEqualTo(40);
    assertThat(json.get("rollingStats").get("5m:total").get("data").get("peak").asLong())
        .isEqualTo(9);
    assertThat(
            json.get("proportionStats")
                .get("studytypes")
                .get("dataPoints")
                .get("PG")
                .get("data")
                .get("current")
                .asLong())
        .isEqualTo(5);
    assertThat(json.get("otherStats").get("totalvotes").get("data").get("totalvotes").asLong())
        .isEqualTo(2345);
    assertThat(out.toString(StandardCharsets.UTF_8).trim()).doesNotContain("\n");
  }

  @Test
  void theGoSampleShapeOfRedisTableReadsDatabaseZero() throws Exception {
    // The Go program's sample config has a [redis] table without db: it read database 0.
    try (redis.clients.jedis.Jedis db0 = redis.admin()) {
      db0.select(0);
      db0.hset("e:stats:total:data", Map.of("current", "5", "total", "10"));
    }
    Path goShaped = dir.resolve("go.conf");
    Files.writeString(
        goShaped, Files.readString(conf).replace("db = 1\n", "").replace("\n        db = 1", ""));
    assertThat(Files.readString(goShaped)).doesNotContain("db =");
    ListCommand list = new ListCommand();
    list.options = new CommonOptions();
    list.options.config = goShaped;
    list.format = ListCommand.Format.json;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    list.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertThat(list.call()).isZero();
    JsonNode json = JSON.readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(json.get("proportionStats").get("total").get("data").get("current").asLong())
        .isEqualTo(5);
    try (redis.clients.jedis.Jedis db0 = redis.admin()) {
      db0.select(0);
      db0.flushDB();
    }
  }

  @Test
  void listPrintsTextAndPrettyJson() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run("list", "-c", conf.toString())).isZero();
      assertThat(
              Main.run("list", "-c", conf.toString(), "-source", "election", "-f", "json", "-pp"))
          .isZero();
    } finally {
      System.setOut(previous);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains(
            "Stat group: proportion\ntotal: current: 71, total: 200, proportion: 0.355, percentage: 35.5\n");
    assertThat(text)
        .contains("studytypes: current: 0, total: 0")
        .contains("\n  PG: current: 5, total: 10");
    assertThat(text).contains("Stat group: rolling\n5m:total: current: 3");
    assertThat(text).contains("{\n  \"proportionStats\" : {");
  }

  @Test
  void listFailsClearlyWhenRedisIsDown() throws Exception {
    Files.writeString(
        conf, Files.readString(conf).replace("127.0.0.1:" + redis.port(), "127.0.0.1:1"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ListCommand list = new ListCommand();
    list.options = new CommonOptions();
    list.options.config = conf;
    list.format = ListCommand.Format.text;
    list.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(list.call()).isEqualTo(ArithmosporaCommand.FAILURE);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("cannot read source 'election' from Redis at 127.0.0.1:1");
  }

  @Test
  void watchPrintsStatsAsTheyChange() throws Exception {
    WatchCommand watch = new WatchCommand();
    watch.options = new CommonOptions();
    watch.options.config = conf;
    watch.stat = "totalvotes";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    watch.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return watch.call();
              } catch (InterruptedException e) {
                return -1;
              }
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> out.toString(StandardCharsets.UTF_8).contains("totalvotes: 2345"));
    redis.writer().set("e:stats:totalvotes:data", "2346");
    redis.writer().publish("e:stats:totalvotes:updates", "1");
    redis.writer().hset("e:stats:total:data", "current", "99");
    redis.writer().publish("e:stats:total:updates", "1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> out.toString(StandardCharsets.UTF_8).contains("totalvotes: 2346"));
    watch.stop.countDown();
    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("other:totalvotes")
        .doesNotContain("proportion:total");
  }

  @Test
  void aBrokenConfigStartsNothingAndExitsNonZero() throws Exception {
    Path broken = dir.resolve("broken.conf");
    Files.writeString(
        broken, "[redis]\ndb = \"one\"\n[http]\naddress = \"127.0.0.1:" + httpPort + "\"\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream previous = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run("serve", "-c", broken.toString())).isEqualTo(2);
      assertThat(Main.run("-c", broken.toString())).isEqualTo(2);
    } finally {
      System.setErr(previous);
    }
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(broken + ":2: redis.db: expected an integer, found the string \"one\"")
        .contains("has 1 problem(s); nothing was started");
    try (ServerSocket free = new ServerSocket(httpPort)) {
      assertThat(free.isBound()).as("nothing listens on the configured port").isTrue();
    }
  }

  @Test
  void goStyleServeStopsWithExitZeroOnSigterm() throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "org.arithmospora.cli.Main",
                "-c",
                conf.toString()));
    // Process.destroy() closes our end of its pipes, so the log goes to a file instead.
    Path logFile = dir.resolve("serve.log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();
    java.util.function.Supplier<List<String>> log =
        () -> {
          try {
            return Files.readAllLines(logFile, StandardCharsets.UTF_8);
          } catch (IOException e) {
            return List.of();
          }
        };
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  log.get().stream()
                      .anyMatch(
                          l -> l.contains("Serving 1 source(s) on ws://127.0.0.1:" + httpPort)));
      TestClient client = connect(httpPort);
      await().atMost(Duration.ofSeconds(10)).until(() -> client.messages.size() >= 6);
      // A client that sends invalid UTF-8 is closed (1007): its mistake, not a server error.
      try (java.net.Socket bad =
          new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), httpPort)) {
        java.io.OutputStream out = bad.getOutputStream();
        out.write(
            ("GET /election HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[] {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, (byte) 0xC3, 0x28});
        out.flush();
        bad.setSoTimeout(5000);
        while (bad.getInputStream().read() >= 0) {
          // Until the server closes it.
        }
      }

      process.destroy(); // SIGTERM
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue())
          .as("exit status; log:%n%s", String.join("\n", log.get()))
          .isZero();
      // Stopping drains: 1012 (service restart) tells the client to come back, to another server.
      assertThat(client.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1012);
      assertThat(log.get())
          .anyMatch(l -> l.contains("INFO Shutting down"))
          .anyMatch(l -> l.endsWith("INFO Stopped"));
      assertThat(log.get())
          .as("no ERROR and no stack trace for a client's mistake")
          .noneMatch(l -> l.contains(" ERROR "))
          .noneMatch(l -> l.startsWith("\tat "));
      assertThat(log.get().get(0))
          .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (INFO|WARN) .*");
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void theDemoLeavesNoRedisServerBehind() throws Exception {
    int redisPort;
    try (ServerSocket s = new ServerSocket(0)) {
      redisPort = s.getLocalPort();
    }
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "org.arithmospora.cli.Main",
            "demo",
            "--http-port",
            "0",
            "--ws-port",
            "0",
            "--redis-port",
            String.valueOf(redisPort));
    Path logFile = dir.resolve("demo.log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.readString(logFile).contains("Dashboard:  http://127.0.0.1:"));
      List<ProcessHandle> children = process.descendants().toList();
      assertThat(children).anyMatch(p -> p.info().command().orElse("").contains("redis-server"));
      // Its Redis is on the port asked for, so that other tools can be pointed at it.
      assertThat(Files.readString(logFile)).contains("Redis:      127.0.0.1:" + redisPort);
      try (redis.clients.jedis.Jedis demoRedis =
          new redis.clients.jedis.Jedis("127.0.0.1", redisPort)) {
        demoRedis.select(1);
        assertThat(demoRedis.keys("demo:election:*")).isNotEmpty();
      }

      process.destroy(); // SIGTERM, as Ctrl-C's SIGINT is handled the same way
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(Files.readString(logFile)).isZero();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }
}
