package org.arithmospora.cli.demo;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.arithmospora.cli.ArithmosporaCommand;
import org.arithmospora.cli.systemd.Signals;
import org.arithmospora.config.Assembly;
import org.arithmospora.config.Config;
import org.arithmospora.core.DebounceSettings;
import org.arithmospora.core.type.StatTypeRegistry;
import org.arithmospora.http.WebServer;
import org.arithmospora.redis.RedisSettings;
import org.arithmospora.ws.WebSocketSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.embedded.RedisServer;

/**
 * {@code arithmospora demo}: live numbers with nothing installed. Starts a private redis-server,
 * seeds a simulated election, writes votes to it the way a site's writer does, serves it over
 * websockets and serves the dashboard. Ctrl-C stops everything, the redis-server included.
 */
@Command(
    name = "demo",
    description = {
      "Run a simulated live election: a private Redis, a vote writer, the websocket server and the dashboard.",
      "Open the dashboard URL it prints; Ctrl-C stops everything."
    })
public final class DemoCommand extends ArithmosporaCommand {
  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "Port of the dashboard page (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int httpPort;

  @Option(
      names = "--ws-port",
      paramLabel = "PORT",
      defaultValue = "8081",
      description = "Port of the websocket server (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int wsPort;

  @Option(
      names = "--bind",
      paramLabel = "HOST",
      defaultValue = "127.0.0.1",
      description =
          "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
  String bind;

  @Option(
      names = "--redis-port",
      paramLabel = "PORT",
      defaultValue = "0",
      description =
          "Port of the demo's own Redis on 127.0.0.1, to point other tools at it (default: a free one).")
  int redisPort;

  @Option(
      names = "--rate",
      paramLabel = "VOTES",
      defaultValue = "6",
      description = "Average votes per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = {"-v", "--verbose"},
      description = "Log debug detail.")
  boolean verbose;

  final CountDownLatch stop = new CountDownLatch(1);
  final CountDownLatch ready = new CountDownLatch(1);
  volatile String dashboardUrl;
  volatile String websocketUrl;

  @Override
  public Integer call() throws Exception {
    Logger log = LoggerFactory.getLogger(DemoCommand.class);
    Signals.onTermination(stop::countDown);
    int redisPort = this.redisPort > 0 ? this.redisPort : freePort();
    RedisServer redis =
        RedisServer.newRedisServer()
            .port(redisPort)
            .bind("127.0.0.1")
            .setting("save \"\"")
            .setting("appendonly no")
            .build();
    try {
      redis.start();
    } catch (IOException e) {
      log.error("Cannot start the demo's redis-server: {}", e.getMessage());
      return FAILURE;
    }
    try (RedisClient writer =
        RedisClient.builder()
            .hostAndPort(new HostAndPort("127.0.0.1", redisPort))
            .clientConfig(DefaultJedisClientConfig.builder().database(1).build())
            .build()) {
      Instant now = Instant.now();
      DemoElection election = new DemoElection(now.toEpochMilli());
      election.seed(writer, now, Duration.ofMinutes(90), 0.15);

      Config config =
          new Config(
              Path.of("(demo)"),
              RedisSettings.builder().host("127.0.0.1").port(redisPort).build(),
              Optional.of(new Config.Listener.Plain(bind + ":" + wsPort)),
              WebSocketSettings.builder().build(),
              DebounceSettings.ofMillis(50, 250),
              Optional.of(
                  new Config.Web(
                      new Config.Listener.Plain(bind + ":" + httpPort),
                      List.of(),
                      true,
                      true,
                      Duration.ofSeconds(1))),
              List.of(
                  new Config.SourceConfig(
                      DemoElection.definition(
                          now.minus(Duration.ofMinutes(90)), now.plus(Duration.ofHours(3))),
                      DemoElection.PREFIX,
                      DemoElection.labels())),
              List.of(),
              StatTypeRegistry.ofDefaults(),
              Config.Log.DEFAULT);
      try (Assembly assembly = Assembly.of(config)) {
        assembly.startSources();
        try {
          assembly.startServer();
        } catch (IllegalStateException e) {
          log.error("{} (choose another with --ws-port)", e.getMessage());
          return FAILURE;
        }
        int actualWs = assembly.server().port();
        WebServer dashboard;
        try {
          dashboard = assembly.startWeb();
        } catch (IllegalStateException e) {
          log.error("{} (choose another with --http-port)", e.getMessage());
          return FAILURE;
        }
        {
          String host = bind.equals("0.0.0.0") ? "localhost" : bind;
          websocketUrl = "ws://" + host + ":" + actualWs + "/" + DemoElection.SOURCE;
          dashboardUrl = "http://" + host + ":" + dashboard.port() + "/";
          out.println();
          out.println(
              "  Arithmospora demo: a simulated election of "
                  + election.electorate()
                  + " students.");
          out.println("  Dashboard:  " + dashboardUrl);
          out.println("  Websocket:  " + websocketUrl);
          out.println(
              "  Events:     " + dashboardUrl + "sources/" + DemoElection.SOURCE + "/events");
          out.println("  Metrics:    " + dashboardUrl + "metrics");
          out.println("  Redis:      127.0.0.1:" + redisPort + " (database 1)");
          out.println("  Ctrl-C stops it.");
          out.println();
          out.flush();
          ready.countDown();
          Thread voter = new Thread(() -> vote(election, writer, log), "arithmospora-demo-voters");
          voter.setDaemon(true);
          voter.start();
          stop.await();
          voter.interrupt();
          voter.join(2000);
          log.info("Stopping the demo");
        }
      }
    } finally {
      redis.stop();
    }
    return 0;
  }

  private void vote(DemoElection election, RedisClient writer, Logger log) {
    long tick = 250;
    while (!Thread.currentThread().isInterrupted()) {
      try {
        election.step(writer, Instant.now(), tick / 1000.0, rate);
        Thread.sleep(tick);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("The demo's vote writer failed: {}", e.getMessage());
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
