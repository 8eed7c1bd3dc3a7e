package org.arithmospora.cli;

import org.arithmospora.config.Config;
import org.arithmospora.config.ConfigException;
import org.arithmospora.config.ConfigLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;

/**
 * A subcommand that reads a configuration file ({@code -c CONF}): {@code serve}, {@code list} and
 * {@code watch}. It loads the file once, logs its warnings, and on any problem prints every one of
 * them with its line and starts nothing.
 */
abstract class ConfiguredCommand extends ArithmosporaCommand {
  @Mixin CommonOptions options;

  /** The configuration, or null after printing every problem to {@link #err}. */
  final Config loadConfig() {
    Logger log = LoggerFactory.getLogger(getClass());
    try {
      Config config = new ConfigLoader().load(options.config);
      config.warnings().forEach(w -> log.warn("{}", w));
      return config;
    } catch (ConfigException e) {
      e.problems().forEach(err::println);
      err.println(
          "arithmospora: "
              + options.config
              + " has "
              + e.problems().size()
              + " problem(s); nothing was started");
      return null;
    }
  }
}
