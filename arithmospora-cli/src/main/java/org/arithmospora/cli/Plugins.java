package org.arithmospora.cli;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.arithmospora.core.type.StatTypeRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Custom stat types for CLI users: every jar in the plugins directory is searched with {@link
 * java.util.ServiceLoader} for {@code org.arithmospora.core.type.StatType} implementations (listed
 * in {@code META-INF/services/org.arithmospora.core.type.StatType}), beside the five built-ins. The
 * directory is {@code --plugins DIR}, else {@code $ARITHMOSPORA_PLUGINS}; none by default.
 */
final class Plugins {
  /** The environment variable naming the plugins directory; the launcher sets it. */
  static final String ENVIRONMENT = "ARITHMOSPORA_PLUGINS";

  private static final Logger log = LoggerFactory.getLogger(Plugins.class);

  private Plugins() {}

  /**
   * The built-in types and those of every jar in {@code dir} (or the environment's directory when
   * {@code dir} is null).
   *
   * @throws IllegalArgumentException naming the directory when it cannot be read, or naming both
   *     classes when a plugin's type has the name of another
   */
  static StatTypeRegistry load(Path dir) {
    Path plugins = dir;
    if (plugins == null) {
      String env = System.getenv(ENVIRONMENT);
      plugins = env == null || env.isBlank() ? null : Path.of(env);
    }
    if (plugins == null || (dir == null && !Files.isDirectory(plugins))) {
      return StatTypeRegistry.ofDefaults();
    }
    List<URL> jars = new ArrayList<>();
    try (Stream<Path> files = Files.list(plugins)) {
      for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
        jars.add(jar.toUri().toURL());
      }
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("plugins directory " + plugins + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "plugins directory " + plugins + " cannot be read: " + e, e);
    }
    // Kept open for the life of the process: the types' classes are used until it exits.
    @SuppressWarnings("resource")
    URLClassLoader loader =
        new URLClassLoader(jars.toArray(URL[]::new), Plugins.class.getClassLoader());
    StatTypeRegistry types = StatTypeRegistry.builder().registerDefaults().discover(loader).build();
    log.info(
        "Stat types: {} ({} plugin jar(s) in {})",
        String.join(", ", types.names()),
        jars.size(),
        plugins);
    return types;
  }
}
