package org.arithmospora.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * What every subcommand of {@code arithmospora} shares: the help option in the Go program's
 * spelling and in GNU style, the exit statuses, and where it prints. A subcommand implements {@link
 * #call()} and returns 0, {@link #USAGE} or {@link #FAILURE}.
 */
public abstract class ArithmosporaCommand implements Callable<Integer> {
  /** Exit status for a bad command line or configuration: nothing was started. */
  public static final int USAGE = 2;

  /** Exit status for a failure while running. */
  public static final int FAILURE = 1;

  @Option(
      names = {"-h", "-help", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  /** Results: the listing, the watched changes, the demo's URLs. */
  protected PrintStream out = System.out;

  /** Complaints about the command line or the configuration. */
  protected PrintStream err = System.err;

  /** Prints results to {@code out} and complaints to {@code err} from now on. */
  public final void printTo(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Reports a bad command line or configuration and returns {@link #USAGE}. */
  protected final int usageError(String message) {
    err.println("arithmospora: " + message);
    return USAGE;
  }

  /** Reports a failure while running and returns {@link #FAILURE}. */
  protected final int failure(String message) {
    err.println("arithmospora: " + message);
    return FAILURE;
  }
}
