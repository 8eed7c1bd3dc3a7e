package org.arithmospora.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of every command that reads a configuration, in the Go program's spelling and in GNU
 * style.
 */
final class CommonOptions {
  // Not required by picocli: the hidden Go spelling below sets it too; ConfiguredCommand checks it.
  @Option(
      names = {"-c", "--config"},
      paramLabel = "CONFIG",
      description = "The TOML configuration file (required).")
  Path config;

  /** The Go flag package's other spelling of {@code -c}, kept for old scripts, not shown. */
  @Option(names = "--c", hidden = true, paramLabel = "CONFIG")
  void goStyleConfig(Path p) {
    this.config = p;
  }

  @Option(
      names = "--plugins",
      paramLabel = "DIR",
      description =
          "A directory of jars with custom stat types (ServiceLoader); default: $ARITHMOSPORA_PLUGINS.")
  Path plugins;

  @Option(
      names = "--log-format",
      paramLabel = "text|json",
      description =
          "Log lines as text (the default) or one JSON object each; wins over [log] format.")
  Logging.Format logFormat;

  @Option(
      names = "--strict",
      description = "Make unknown keys errors, as the Go program did, rather than warnings.")
  boolean strict;

  @Option(
      names = {"-v", "--verbose"},
      description = "Log debug detail.")
  boolean verbose;
}
