package org.arithmospora.examples;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.arithmospora.config.Assembly;
import org.arithmospora.config.Config;
import org.arithmospora.config.ConfigException;
import org.arithmospora.config.ConfigLoader;

/**
 * Serves a configuration file in the Go program's format from your own program, with {@code
 * arithmospora-config} alone: what {@code arithmospora serve -c FILE} does, without the command
 * line.
 *
 * <pre>
 * examples/run configured docs/arithmospora.conf.sample
 * </pre>
 */
public final class ConfiguredServer {
  private ConfiguredServer() {}

  /** Serves {@code args[0]} until Ctrl-C; prints every problem of the file, with its line. */
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 1) {
      System.err.println("usage: ConfiguredServer CONFIG_FILE");
      System.exit(2);
    }
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    try {
      run(Path.of(args[0]), stop, assembly -> System.out.println("Serving " + args[0]));
    } catch (ConfigException e) {
      e.problems().forEach(System.err::println);
      System.exit(2);
    }
  }

  /**
   * Loads {@code file}, starts its sources and its server, calls {@code started}, and serves until
   * {@code stop} opens.
   *
   * @throws ConfigException listing every problem of the file, each with its line
   */
  public static void run(Path file, CountDownLatch stop, Consumer<Assembly> started)
      throws ConfigException, InterruptedException {
    Config config = new ConfigLoader().load(file);
    try (Assembly assembly = Assembly.of(config)) {
      assembly.startSources(); // reads every stat once, then follows changes
      assembly.startServer(); // [http] or [https], as the file says
      started.accept(assembly);
      stop.await();
    }
  }
}
