package org.arithmospora.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.arithmospora.cli.demo.DemoCommand;
import org.arithmospora.cli.demo.RedisCommand;
import org.arithmospora.loadtest.LoadtestCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code arithmospora} command. {@code arithmospora -c CONF} with no command serves, as the Go
 * program did, so existing systemd units work unchanged.
 */
@Command(
    name = "arithmospora",
    versionProvider = Main.Version.class,
    description = "Live statistics from Redis, pushed as JSON over websockets.",
    subcommands = {
      ServeCommand.class,
      ListCommand.class,
      WatchCommand.class,
      DemoCommand.class,
      LoadtestCommand.class,
      RedisCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "'arithmospora -c CONF' alone serves, like the Go program."})
public final class Main implements Callable<Integer> {

  @Option(
      names = {"-c", "--c", "--config"},
      paramLabel = "CONFIG",
      description = "Serve this configuration.")
  Path config;

  @Option(
      names = {"-v", "--verbose"},
      description = "Log debug detail.")
  boolean verbose;

  @Option(
      names = {"-h", "-help", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = {"-V", "--version"},
      versionHelp = true,
      description = "Show the version and exit.")
  boolean version;

  @Override
  public Integer call() {
    if (config == null) {
      new CommandLine(this).usage(System.err);
      return ArithmosporaCommand.USAGE;
    }
    ServeCommand serve = new ServeCommand();
    serve.options = new CommonOptions();
    serve.options.config = config;
    serve.options.verbose = verbose;
    return serve.call();
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status. */
  public static int run(String... args) {
    Logging.configure(
        Arrays.asList(args).contains("-v") || Arrays.asList(args).contains("--verbose"));
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"arithmospora " + (v == null ? "(development build)" : v)};
    }
  }
}
