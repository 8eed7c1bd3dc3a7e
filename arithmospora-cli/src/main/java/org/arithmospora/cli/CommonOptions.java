package org.arithmospora.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of every command that reads a configuration, in the Go program's spelling and in GNU
 * style.
 */
final class CommonOptions {
  @Option(
      names = {"-c", "--c", "--config"},
      paramLabel = "CONFIG",
      required = true,
      description = "The TOML configuration file.")
  Path config;

  @Option(
      names = {"-v", "--verbose"},
      description = "Log debug detail.")
  boolean verbose;
}
