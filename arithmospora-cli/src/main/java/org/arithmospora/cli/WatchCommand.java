package org.arithmospora.cli;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CountDownLatch;
import org.arithmospora.cli.systemd.Signals;
import org.arithmospora.config.Assembly;
import org.arithmospora.config.Config;
import org.arithmospora.core.Achievement;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.SourceListener;
import org.arithmospora.core.Stat;
import org.arithmospora.core.wire.EncodedMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code arithmospora watch}: the Go {@code aswatch}. */
@Command(
    name = "watch",
    aliases = "aswatch",
    description = "Print stats of one source each time they change, until stopped.")
final class WatchCommand extends ConfiguredCommand {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  @Option(
      names = {"-source", "--source", "-s"},
      paramLabel = "NAME",
      description = "The source to watch (default: the first in the configuration).")
  String source;

  @Option(
      names = {"-stat", "--stat"},
      paramLabel = "KEY",
      defaultValue = "all",
      description =
          "The stat to watch, by key (5m:total) or name (total); 'all' for every stat (default).")
  String stat;

  final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException {
    Config config = loadConfig();
    if (config == null) {
      return USAGE;
    }
    Assembly assembly;
    try {
      assembly = Assembly.single(config, source, true);
    } catch (IllegalArgumentException e) {
      return usageError(e.getMessage());
    }
    try (assembly) {
      LiveSource watched = assembly.sources().get(0);
      if (!"all".equals(stat) && watched.stats().stream().noneMatch(this::matches)) {
        return usageError("source '" + watched.name() + "' has no stat '" + stat + "'");
      }
      watched.addListener(
          new SourceListener() {
            @Override
            public void statChanged(Stat changed, EncodedMessage message) {
              if (matches(changed)) {
                changed
                    .current()
                    .ifPresent(
                        tree ->
                            print(
                                changed.group()
                                    + ":"
                                    + changed.key()
                                    + "\n"
                                    + StatText.render(tree)));
              }
            }

            @Override
            public void milestoneAchieved(Achievement achievement, EncodedMessage message) {
              print(
                  "milestone '"
                      + achievement.milestone().name()
                      + "': "
                      + achievement.milestone().message()
                      + "\n");
            }
          });
      Signals.onTermination(stop::countDown);
      assembly.startSources();
      stop.await();
    }
    return 0;
  }

  private boolean matches(Stat s) {
    return "all".equals(stat) || s.key().equals(stat) || s.definition().name().equals(stat);
  }

  private synchronized void print(String text) {
    out.print(LocalTime.now(ZoneId.systemDefault()).format(TIME) + " " + text);
    out.flush();
  }
}
