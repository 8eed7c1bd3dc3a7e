package org.arithmospora.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.arithmospora.auth.KeyFiles;
import org.arithmospora.auth.TokenMinter;
import org.arithmospora.config.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code arithmospora token -c CONF --source NAME}: a token for private sources, signed with the
 * configuration's HMAC secret, as Centrifugo's {@code gentoken}: to try a private source, or for a
 * newsroom's screens. A site issues its own in production, with any JWT library.
 */
@Command(
    name = "token",
    description = {
      "Print a token (JWT, HS256) that lets its holder read the named private sources, signed with"
          + " [auth] hmac_secret_file. Present it as ?token= or an Authorization: Bearer header.",
      "Exit status 0 with the token on standard output, 2 when the configuration cannot sign one."
    })
final class TokenCommand extends ConfiguredCommand {
  @Option(
      names = {"-s", "--source"},
      paramLabel = "NAME",
      required = true,
      description = "A source the token grants; repeat for several, or \"*\" for all.")
  List<String> sources = new ArrayList<>();

  @Option(
      names = "--valid-for",
      paramLabel = "DURATION",
      defaultValue = "PT1H",
      description =
          "How long the token is good for, as ISO-8601 (PT12H, P1D) (default: ${DEFAULT-VALUE}).")
  Duration validFor;

  @Option(
      names = "--subject",
      paramLabel = "WHO",
      description = "Who holds it (its sub claim), for your records.")
  String subject;

  @Override
  public Integer call() {
    Config config = loadConfig();
    if (config == null) {
      return USAGE;
    }
    if (config.auth().isEmpty()) {
      return usageError(config.file() + " has no [auth] table: no source is private");
    }
    Config.Auth auth = config.auth().get();
    if (auth.hmacSecretFile().isEmpty()) {
      return usageError(
          "[auth] verifies tokens with a public key: tokens are signed where its private key is,"
              + " not by this server");
    }
    for (String s : sources) {
      if (!s.equals("*")
          && config.sources().stream().noneMatch(c -> c.name().equals(s) && c.isPrivate())) {
        return usageError(
            "no private source '"
                + s
                + "' in "
                + config.file()
                + "; private sources: "
                + String.join(
                    ", ",
                    config.sources().stream()
                        .filter(Config.SourceConfig::isPrivate)
                        .map(Config.SourceConfig::name)
                        .toList()));
      }
    }
    try {
      TokenMinter minter =
          TokenMinter.hmac(KeyFiles.hmacSecret(auth.hmacSecretFile().get()))
              .sources(sources)
              .validFor(validFor)
              .subject(subject);
      auth.issuer().ifPresent(minter::issuer);
      auth.audience().ifPresent(minter::audience);
      out.println(minter.mint());
      return 0;
    } catch (IllegalArgumentException e) {
      String why = e.getMessage();
      String file = auth.hmacSecretFile().get().toString();
      return usageError(
          "[auth] hmac_secret_file " + (why.startsWith(file) ? why : file + ": " + why));
    }
  }
}
