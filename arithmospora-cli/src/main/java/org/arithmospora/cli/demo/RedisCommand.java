package org.arithmospora.cli.demo;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import org.arithmospora.cli.ArithmosporaCommand;
import org.arithmospora.cli.systemd.Signals;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.embedded.RedisServer;

/**
 * {@code arithmospora redis}: the redis-server bundled for the demo, on a port of your choice, to
 * try {@code serve} or run benchmarks without installing Redis. Keeps nothing on disk.
 */
@Command(
    name = "redis",
    description = {
      "Run the bundled redis-server (nothing kept on disk) until Ctrl-C: to try 'serve' or run benchmarks",
      "without installing Redis."
    })
public final class RedisCommand extends ArithmosporaCommand {
  @Option(
      names = "--port",
      defaultValue = "6379",
      paramLabel = "PORT",
      description = "Port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      paramLabel = "HOST",
      description = "Address (default: ${DEFAULT-VALUE}).")
  String bind;

  @Override
  public Integer call() throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    Signals.onTermination(stop::countDown);
    RedisServer redis;
    try {
      redis =
          RedisServer.newRedisServer()
              .port(port)
              .bind(bind)
              .setting("save \"\"")
              .setting("appendonly no")
              .build();
      redis.start();
    } catch (IOException e) {
      return failure("cannot start redis-server on " + bind + ":" + port + ": " + e.getMessage());
    }
    out.println("redis-server listening on " + bind + ":" + port + "; Ctrl-C stops it");
    try {
      stop.await();
    } finally {
      try {
        redis.stop();
      } catch (IOException e) {
        err.println("arithmospora: stopping redis-server: " + e.getMessage());
      }
    }
    return 0;
  }
}
