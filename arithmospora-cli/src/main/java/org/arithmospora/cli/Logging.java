package org.arithmospora.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * The command line's logs, through Logback, on stderr: our own messages at INFO (the 10-second
 * status lines among them), libraries' only when they warn; {@code -v} shows our DEBUG. Text lines
 * (time, level, message) by default, or one JSON object a line for a log collector ({@code
 * --log-format json} or {@code [log] format = "json"}); levels per logger from {@code [log]}. A
 * Logback file given with {@code -Dlogback.configurationFile} wins over all of this.
 */
final class Logging {
  /** How lines are written. */
  enum Format {
    text,
    json
  }

  private Logging() {}

  /**
   * Java-WebSocket logs every client's protocol error as an ERROR, most with a stack trace: 2,000
   * bad clients made 673 of them. A client's mistake is not a server error; the websocket server
   * counts them by close code and says so once every 10 s instead. {@code -v} shows them again.
   */
  static final class ClientMistakes extends Filter<ILoggingEvent> {
    private static final Pattern MISTAKE =
        Pattern.compile(
            "^(Closing due to invalid (size of frame|data in frame)|Protocol error|"
                + "non control or continious frame expected)");

    @Override
    public FilterReply decide(ILoggingEvent event) {
      return event.getLoggerName().startsWith("org.java_websocket")
              && event.getMessage() != null
              && MISTAKE.matcher(event.getMessage()).find()
          ? FilterReply.DENY
          : FilterReply.NEUTRAL;
    }
  }

  /** The start-up setting, before any configuration file is read. */
  static void configure(boolean verbose) {
    configure(verbose, Format.text, Map.of());
  }

  /**
   * Sets the format and levels, replacing what was set before.
   *
   * @param levels logger name (a package, such as {@code org.arithmospora.hub}) to level name
   */
  static void configure(boolean verbose, Format format, Map<String, String> levels) {
    if (System.getProperty("logback.configurationFile") != null
        || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    context.reset();
    Encoder<ILoggingEvent> encoder;
    if (format == Format.json) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      // One flat object a line: time, level, thread, logger and the message as written.
      json.setWithFormattedMessage(true);
      json.setWithMessage(false);
      json.setWithArguments(false);
      json.setWithContext(false);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      encoder = json;
    } else {
      PatternLayoutEncoder pattern = new PatternLayoutEncoder();
      pattern.setContext(context);
      pattern.setPattern(
          verbose
              ? "%d{yyyy-MM-dd HH:mm:ss.SSS} %level [%thread] %logger{0} - %msg%n"
              : "%d{yyyy-MM-dd HH:mm:ss.SSS} %level %msg%n");
      encoder = pattern;
    }
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    if (!verbose) {
      console.addFilter(new ClientMistakes());
    }
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(console);
    context.getLogger("org.arithmospora").setLevel(verbose ? Level.DEBUG : Level.INFO);
    levels.forEach(
        (name, level) -> context.getLogger(name).setLevel(Level.toLevel(level, Level.INFO)));
  }
}
