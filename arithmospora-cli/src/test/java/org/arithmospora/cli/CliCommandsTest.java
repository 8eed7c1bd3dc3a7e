package org.arithmospora.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's own behaviour: no Redis, no server. */
class CliCommandsTest {
  @TempDir Path dir;

  /** What a command line printed and returned. */
  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    StringWriter picocliErr = new StringWriter();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      CommandLine cl = Main.commandLine();
      cl.setErr(new PrintWriter(picocliErr, true));
      cl.setOut(
          new PrintWriter(
              new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
      int status = cl.execute(args);
      return new Run(
          status,
          out.toString(StandardCharsets.UTF_8),
          picocliErr + err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private Path config(String text) throws Exception {
    Path p = dir.resolve("arithmospora.conf");
    Files.writeString(p, text);
    return p;
  }

  @Test
  void anUnknownOptionIsNamedWithTheNearestSpellingBeforeAnythingElse() {
    Run r = run("serve", "--confg", "x.conf");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown options: '--confg'").contains("--config");
    assertThat(r.err()).doesNotContain("Missing required option");
  }

  @Test
  void theGoSpellingOfTheConfigFlagStillWorksButIsNotShown() throws Exception {
    Path conf = config("[http]\naddress = \":8080\"\n[[sources]]\nname = \"e\"\n");
    assertThat(run("check", "--c", conf.toString()).status()).isZero();
    assertThat(run("serve", "--help").out()).contains("-c, --config=CONFIG").doesNotContain("--c,");
  }

  @Test
  void checkSummarisesWhatWouldBeServedAndStartsNothing() throws Exception {
    Path conf =
        config(
            """
            [redis]
            server = "127.0.0.1:1"
            db = 2
            [http]
            address = "127.0.0.1:8080"
            [web]
            address = "127.0.0.1:8081"
            [[sources]]
            name = "e"
            redis_prefix = "e"
              [sources.stats]
              proportion = [ { name = "total" } ]
            """);
    Run r = run("check", "-c", conf.toString());
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains(conf + ": OK")
        .contains("redis      127.0.0.1:1, database 2")
        .contains("websocket  ws://127.0.0.1:8080/<source>")
        .contains(
            "web        http://127.0.0.1:8081: /healthz /readyz /metrics /sources and the dashboard")
        .contains("source     e (live, prefix e): 1 stats (proportion 1), 0 milestones");
  }

  @Test
  void checkNamesAnAuthSecretTooShortToSignAndShowsWhichSourcesArePrivate() throws Exception {
    Path secret = dir.resolve("jwt.secret");
    Files.writeString(secret, "short\n");
    String sources =
        "[[sources]]\nname = \"results\"\nis_live = true\nprivate = true\n"
            + "[[sources]]\nname = \"election\"\nis_live = true\n";
    Path conf =
        config(
            "[http]\naddress = \":8080\"\n[auth]\nhmac_secret_file = \""
                + secret
                + "\"\n"
                + sources);
    Run r = run("check", "-c", conf.toString());
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err())
        .contains("[auth] hmac_secret_file " + secret + ": an HMAC secret needs at least 32 bytes")
        .contains("but has 5");
    assertThat(run("token", "-c", conf.toString(), "--source", "results").err())
        .contains("at least 32 bytes");

    Files.writeString(secret, "a secret long enough for HS256, 32 bytes or more\n");
    Run ok = run("check", "-c", conf.toString());
    assertThat(ok.status()).as(ok.err()).isZero();
    assertThat(ok.out())
        .contains("auth       tokens verified with the HMAC secret in " + secret)
        .containsPattern("source +results .*; private: token required")
        .doesNotContainPattern("source +election .*private");
    Run token = run("token", "-c", conf.toString(), "--source", "results");
    assertThat(token.status()).isZero();
    assertThat(token.out().strip()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    Run notPrivate = run("token", "-c", conf.toString(), "--source", "election");
    assertThat(notPrivate.status()).isEqualTo(2);
    assertThat(notPrivate.err())
        .contains("no private source 'election'")
        .contains("private sources: results");
  }

  @Test
  void checkReadsCertificatesAndNamesTheOneThatIsMissing() throws Exception {
    Path conf =
        config(
            "[https]\naddress = \":8443\"\ncert = \""
                + dir.resolve("missing.pem")
                + "\"\nkey = \"k.pem\"\n[[sources]]\nname = \"e\"\n");
    Run r = run("check", "-c", conf.toString());
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "[https]: cannot read certificate chain "
                + dir.resolve("missing.pem")
                + ": no such file");
  }

  @Test
  void warningsArePrintedBesideErrorsAndStrictMakesUnknownKeysErrors() throws Exception {
    Path conf = config("[[sources]]\nnam = \"e\"\nis_lve = false\n");
    Run loose = run("check", "-c", conf.toString());
    assertThat(loose.status()).isEqualTo(2);
    assertThat(loose.err())
        .contains(
            "warning: "
                + conf
                + ":3: unknown key sources[0].is_lve is ignored; did you mean is_live?")
        .contains(conf + ":1: sources[0].name: is required");

    Path typoOnly =
        config("[http]\naddress = \":8080\"\n[[sources]]\nname = \"e\"\nis_lve = false\n");
    assertThat(run("check", "-c", typoOnly.toString()).status()).isZero();
    Run strict = run("check", "--strict", "-c", typoOnly.toString());
    assertThat(strict.status()).isEqualTo(2);
    assertThat(strict.err())
        .contains(typoOnly + ":5: unknown key sources[0].is_lve; did you mean is_live?");
  }

  @Test
  void initWritesAnAnnotatedConfigThatChecksAndDoesNotOverwrite() throws Exception {
    Path written = dir.resolve("new.conf");
    Run init = run("init", written.toString());
    assertThat(init.status()).isZero();
    assertThat(init.out()).contains("Wrote " + written);
    assertThat(Files.readString(written))
        .contains("[redis]")
        .contains("[[sources]]")
        .contains("# ");
    assertThat(run("check", "-c", written.toString()).status()).isZero();

    Files.writeString(written, "# mine\n");
    Run again = run("init", written.toString());
    assertThat(again.status()).isEqualTo(2);
    assertThat(again.err()).contains(written + " exists; --force overwrites it");
    assertThat(Files.readString(written)).isEqualTo("# mine\n");
    assertThat(run("init", "--force", written.toString()).status()).isZero();
    assertThat(Files.readString(written)).contains("[[sources]]");
  }

  @Test
  void logsAreJsonLinesWhenTheConfigOrTheFlagSaysSo() throws Exception {
    Path conf =
        config(
            "[log]\nformat = \"json\"\n[http]\naddress = \":8080\"\n[[sources]]\nname = \"e\"\nis_lve = true\n");
    Run json = run("check", "-c", conf.toString());
    assertThat(json.status()).isZero();
    com.fasterxml.jackson.databind.ObjectMapper mapper =
        new com.fasterxml.jackson.databind.ObjectMapper();
    List<com.fasterxml.jackson.databind.JsonNode> lines = new java.util.ArrayList<>();
    for (String line : json.err().lines().filter(l -> l.startsWith("{")).toList()) {
      lines.add(mapper.readTree(line));
    }
    assertThat(lines)
        .anySatisfy(
            l -> {
              assertThat(l.get("level").asText()).isEqualTo("WARN");
              assertThat(l.get("formattedMessage").asText())
                  .contains("unknown key sources[0].is_lve");
              assertThat(l.get("timestamp").asLong()).isPositive();
            });
    Run text = run("check", "--log-format", "text", "-c", conf.toString());
    assertThat(text.err())
        .contains(" WARN " + conf + ":7: unknown key sources[0].is_lve")
        .doesNotContain("{\"");
    Logging.configure(false);
  }

  @Test
  void helpTextNeverBreaksAUrl() {
    java.util.regex.Pattern url = java.util.regex.Pattern.compile("(?:wss?|https?)://\\S*");
    for (String command :
        List.of(
            "serve",
            "check",
            "init",
            "list",
            "watch",
            "token",
            "drain",
            "demo",
            "loadtest",
            "redis")) {
      String help = run(command, "--help").out();
      java.util.regex.Matcher m = url.matcher(help);
      while (m.find()) {
        assertThat(m.group())
            .as("a URL in '%s --help'", command)
            .doesNotEndWith(":")
            .matches(".*://[^/]+/.*|.*://[^/:]+:\\d+.*|.*://\\S+");
        assertThat(m.group()).as("a URL in '%s --help'", command).doesNotEndWith("://");
      }
    }
  }

  @Test
  void aFileThatIsNotUtf8IsNamedWithItsLine() throws Exception {
    Path conf = dir.resolve("latin1.conf");
    Files.write(
        conf, "[http]\naddress = \":8080\"\n# caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    Run r = run("check", "-c", conf.toString());
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains(conf + ":3: is not UTF-8 text (a TOML file must be)");
  }

  @Test
  void aListenHostThatDoesNotResolveIsNamed() throws Exception {
    Path conf =
        config(
            "[redis]\nserver = \"127.0.0.1:1\"\ndb = 1\n[http]\naddress = \"nonexistent.invalid:8080\"\n"
                + "[[sources]]\nname = \"e\"\nis_live = false\n");
    Run r = run("serve", "-c", conf.toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "cannot listen on nonexistent.invalid:8080: the host name nonexistent.invalid does not resolve")
        .doesNotContain("ERROR null");
  }

  @Test
  void versionNamesTheVersionAndJava() {
    Run r = run("--version");
    assertThat(r.status()).isZero();
    assertThat(r.out()).startsWith("arithmospora ").contains("Java " + Runtime.version().feature());
  }
}
