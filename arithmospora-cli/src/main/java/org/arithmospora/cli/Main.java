package org.arithmospora.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
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
      CheckCommand.class,
      InitCommand.class,
      ListCommand.class,
      WatchCommand.class,
      TokenCommand.class,
      DrainCommand.class,
      DemoCommand.class,
      LoadtestCommand.class,
      RedisCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "'arithmospora -c CONF' alone serves, like the Go program."})
public final class Main implements Callable<Integer> {

  @Option(
      names = {"-c", "--config"},
      paramLabel = "CONFIG",
      description = "Serve this configuration.")
  Path config;

  /** The Go flag package's other spelling of {@code -c}, kept for old units, not shown. */
  @Option(names = "--c", hidden = true)
  void goStyleConfig(Path p) {
    this.config = p;
  }

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
    cl.setUsageHelpAutoWidth(true);
    cl.setParameterExceptionHandler(Main::badCommandLine);
    return cl;
  }

  /**
   * Says what is wrong with a command line. An unknown option comes first, with the nearest known
   * spelling: it is usually why a required option seems missing ({@code serve --confg x}).
   */
  private static int badCommandLine(CommandLine.ParameterException ex, String[] args) {
    CommandLine c = ex.getCommandLine();
    PrintWriter err = c.getErr();
    CommandLine.ParameterException shown = ex;
    List<String> unmatched = c.getUnmatchedArguments();
    if (!(ex instanceof CommandLine.UnmatchedArgumentException) && !unmatched.isEmpty()) {
      shown = new CommandLine.UnmatchedArgumentException(c, unmatched);
    }
    err.println("arithmospora: " + shown.getMessage());
    if (!CommandLine.UnmatchedArgumentException.printSuggestions(shown, err)) {
      err.println("See 'arithmospora " + c.getCommandName() + " --help'.");
    }
    if (shown != ex) {
      err.println("arithmospora: and so: " + ex.getMessage());
    }
    return ArithmosporaCommand.USAGE;
  }

  /** The version from the jar's manifest and the commit it was built from. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      String v = Main.class.getPackage().getImplementationVersion();
      Properties git = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("/arithmospora-git.properties")) {
        if (in != null) {
          git.load(in);
        }
      }
      String commit = git.getProperty("git.commit.id.abbrev", "");
      String dirty =
          "true".equals(git.getProperty("git.dirty")) ? ", with uncommitted changes" : "";
      return new String[] {
        "arithmospora "
            + (v == null ? "(development build)" : v)
            + (commit.isEmpty() || commit.startsWith("$")
                ? ""
                : " (commit " + commit + dirty + ")"),
        "Java " + Runtime.version()
      };
    }
  }
}
