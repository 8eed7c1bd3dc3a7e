package org.arithmospora.cli;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.arithmospora.core.Achievement;
import org.arithmospora.core.EncodedMessage;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.SourceListener;
import org.arithmospora.core.Stat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code arithmospora watch}: the Go {@code aswatch}. */
@Command(
    name = "watch",
    aliases = "aswatch",
    description = "Print stats of one source each time they change, until stopped.")
final class WatchCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  @Mixin CommonOptions options;

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

  PrintStream out = System.out;
  final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException {
    Config config = Commands.load(options.config, System.err);
    if (config == null) {
      return Commands.USAGE;
    }
    Assembly assembly;
    try {
      assembly = Assembly.single(config, source, true);
    } catch (IllegalArgumentException e) {
      System.err.println("arithmospora: " + e.getMessage());
      return Commands.USAGE;
    }
    try (assembly) {
      LiveSource watched = assembly.sources.get(0);
      if (!"all".equals(stat) && watched.stats().stream().noneMatch(this::matches)) {
        System.err.println(
            "arithmospora: source '" + watched.name() + "' has no stat '" + stat + "'");
        return Commands.USAGE;
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
    out.print(LocalTime.now().format(TIME) + " " + text);
    out.flush();
  }
}
