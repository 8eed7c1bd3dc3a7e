package org.arithmospora.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.arithmospora.config.Config;
import org.arithmospora.config.ConfigException;
import org.arithmospora.config.ConfigLoader;
import org.arithmospora.core.type.StatTypeRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;

/**
 * A subcommand that reads a configuration file ({@code -c CONF}): {@code serve}, {@code list} and
 * {@code watch}. It loads the file once, logs its warnings, and on any problem prints every one of
 * them with its line, and the warnings beside them, and starts nothing.
 */
abstract class ConfiguredCommand extends ArithmosporaCommand {
  @Mixin CommonOptions options;

  private void applyLogging(Config.Log settings) {
    Map<String, String> levels = new HashMap<>(settings.levels());
    if (!options.verbose) {
      levels.putIfAbsent("org.arithmospora", settings.level());
    }
    Logging.Format format =
        options.logFormat != null
            ? options.logFormat
            : settings.json() ? Logging.Format.json : Logging.Format.text;
    Logging.configure(options.verbose, format, levels);
  }

  /** The configuration, or null after printing every problem to {@link #err}. */
  final Config loadConfig() {
    if (options.config == null) {
      usageError("missing required option: -c CONFIG (the TOML configuration file)");
      return null;
    }
    Logger log = LoggerFactory.getLogger(getClass());
    try {
      StatTypeRegistry types;
      try {
        types = Plugins.load(options.plugins);
      } catch (IllegalArgumentException e) {
        usageError(e.getMessage());
        return null;
      }
      ConfigLoader loader = new ConfigLoader(types, Set.of(ConfigLoader.REDIS));
      Config config = (options.strict ? loader.strict() : loader).load(options.config);
      applyLogging(config.log());
      config.warnings().forEach(w -> log.warn("{}", w));
      return config;
    } catch (ConfigException e) {
      // A warning is often the cause of an error (a misspelt key leaves a required one missing).
      e.warnings().forEach(w -> err.println("warning: " + w));
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
