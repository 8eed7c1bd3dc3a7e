package org.arithmospora.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.arithmospora.config.Assembly;
import org.arithmospora.config.Config;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.Stat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code arithmospora list}: the Go {@code aslist}. */
@Command(
    name = "list",
    aliases = "aslist",
    description = "Load every stat of one source once and print it, as text or JSON.")
final class ListCommand extends ConfiguredCommand {
  enum Format {
    text,
    json
  }

  @Option(
      names = {"-source", "--source", "-s"},
      paramLabel = "NAME",
      description = "The source to list (default: the first in the configuration).")
  String source;

  @Option(
      names = {"-f", "--f", "--format"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(
      names = {"-pp", "--pp", "--pretty"},
      description = "Pretty-print JSON (ignored for text).")
  boolean pretty;

  @Override
  public Integer call() throws IOException {
    Config config = loadConfig();
    if (config == null) {
      return USAGE;
    }
    Assembly assembly;
    try {
      assembly = Assembly.single(config, source, false);
    } catch (IllegalArgumentException e) {
      return usageError(e.getMessage());
    }
    try (assembly) {
      assembly.startSources();
      LiveSource loaded = assembly.sources().get(0);
      if (!loaded.isStoreAvailable()) {
        err.println(
            "arithmospora: cannot read source '"
                + loaded.name()
                + "' from Redis at "
                + config.redis().address());
        return FAILURE;
      }
      Map<String, List<Stat>> groups = new LinkedHashMap<>();
      for (Stat stat : loaded.stats()) {
        groups.computeIfAbsent(stat.group(), g -> new ArrayList<>()).add(stat);
      }
      if (format == Format.json) {
        StatText.writeJson(groups, pretty, out);
      } else {
        for (Map.Entry<String, List<Stat>> group : groups.entrySet()) {
          out.println("Stat group: " + group.getKey());
          for (Stat stat : group.getValue()) {
            stat.current()
                .ifPresent(
                    tree ->
                        out.print(
                            StatText.render(tree)
                                .replaceFirst(
                                    "^" + java.util.regex.Pattern.quote(tree.name()), stat.key())));
          }
        }
        out.flush();
      }
      int failed = 0;
      for (Stat stat : loaded.stats()) {
        if (stat.problem().isPresent()) {
          err.println(
              "arithmospora: stat "
                  + stat.group()
                  + ":"
                  + stat.key()
                  + " could not be read: "
                  + stat.problem().get());
          failed++;
        }
      }
      return failed == 0 ? 0 : FAILURE;
    }
  }
}
