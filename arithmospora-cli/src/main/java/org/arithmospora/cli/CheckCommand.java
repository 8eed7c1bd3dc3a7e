package org.arithmospora.cli;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.arithmospora.config.Assembly;
import org.arithmospora.config.Config;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.StatDefinition;
import picocli.CommandLine.Command;

/**
 * {@code arithmospora check -c CONF}: everything a start would check, certificates and keys
 * included, without starting anything or reaching Redis; then a summary of what would be served.
 */
@Command(
    name = "check",
    description = {
      "Check a configuration as a start would, certificates and keys included, without starting"
          + " anything or connecting to Redis, and print what it would serve.",
      "Exit status 0 when a start would get past the configuration, 2 otherwise."
    })
final class CheckCommand extends ConfiguredCommand {

  @Override
  public Integer call() {
    Config config = loadConfig();
    if (config == null) {
      return USAGE;
    }
    List<String> problems = Assembly.startProblems(config);
    if (!problems.isEmpty()) {
      problems.forEach(err::println);
      err.println(
          "arithmospora: " + config.file() + " has " + problems.size() + " problem(s) at start-up");
      return USAGE;
    }
    out.println(config.file() + ": OK" + warnings(config));
    out.println(
        "  redis      "
            + config.redis().address()
            + ", database "
            + config.redis().database()
            + (config.redis().tls() ? ", TLS" : ""));
    config
        .listener()
        .ifPresent(
            l ->
                out.println(
                    "  websocket  " + (l.tls() ? "wss://" : "ws://") + l.address() + "/<source>"));
    config
        .web()
        .ifPresent(
            w ->
                out.println(
                    "  web        "
                        + (w.listener().tls() ? "https://" : "http://")
                        + w.listener().address()
                        + ": /healthz /readyz"
                        + (w.metrics() ? " /metrics" : "")
                        + " /sources"
                        + (w.dashboard() ? " and the dashboard" : "")));
    config
        .auth()
        .ifPresent(
            a ->
                out.println(
                    "  auth       tokens verified with "
                        + a.hmacSecretFile()
                            .map(f -> "the HMAC secret in " + f)
                            .orElseGet(() -> "the public key in " + a.publicKeyFile().orElseThrow())
                        + a.issuer().map(i -> ", issuer " + i).orElse("")
                        + a.audience().map(i -> ", audience " + i).orElse("")));
    for (Config.SourceConfig s : config.sources()) {
      out.println(
          "  source     "
              + describe(s.definition(), s.redisPrefix())
              + (s.isPrivate() ? "; private: token required" : ""));
    }
    return 0;
  }

  private static String warnings(Config config) {
    int n = config.warnings().size();
    return n == 0 ? "" : " (" + n + " warning" + (n == 1 ? "" : "s") + " above)";
  }

  private static String describe(SourceDefinition d, String prefix) {
    Map<String, List<StatDefinition>> groups = d.groups();
    String stats =
        groups.entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue().size())
            .collect(Collectors.joining(", "));
    int milestones = d.milestoneGroups().stream().mapToInt(g -> g.milestones().size()).sum();
    return d.name()
        + " ("
        + (d.isLive() ? "live" : "archived: loaded once")
        + (prefix.isEmpty() ? "" : ", prefix " + prefix)
        + "): "
        + d.stats().size()
        + " stats ("
        + stats
        + "), "
        + milestones
        + " milestones"
        + (d.timedPeriods().isEmpty() ? "" : ", " + d.timedPeriods().size() + " timed periods");
  }
}
