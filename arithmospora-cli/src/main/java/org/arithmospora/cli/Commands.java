package org.arithmospora.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the commands share: loading the configuration and reporting its problems. */
final class Commands {
  /** Exit status for a bad command line or configuration. */
  static final int USAGE = 2;

  /** Exit status for a failure while running. */
  static final int FAILURE = 1;

  private Commands() {}

  /** The configuration at {@code file}, or null after printing every problem to {@code err}. */
  static Config load(Path file, PrintStream err) {
    Logger log = LoggerFactory.getLogger(Commands.class);
    try {
      Config config = new ConfigLoader().load(file);
      config.warnings().forEach(w -> log.warn("{}", w));
      return config;
    } catch (ConfigException e) {
      e.problems().forEach(err::println);
      err.println(
          "arithmospora: "
              + file
              + " has "
              + e.problems().size()
              + " problem(s); nothing was started");
      return null;
    }
  }
}
