package org.arithmospora.loadtest;

import java.time.Duration;
import java.util.Locale;

/**
 * One kind of audience in a load test, and how many clients of it: how they read. Real audiences
 * are not all fast: phones on crowded networks read slowly, tabs in the background stop reading for
 * a while, and cheap devices spend most of their time parsing.
 *
 * <p>Written {@code KIND[:ARGS]=COUNT} or {@code KIND[:ARGS]=PERCENT%} (of {@code --clients}),
 * prefixed {@code sse-} for clients of the same kind that read server-sent events from {@code
 * --sse-url} instead of a websocket (e.g. {@code sse-fast=50%}), or {@code p2-} for websocket
 * clients that speak protocol 2: they say hello and subscribe to every stat on connecting, and then
 * receive deltas (e.g. {@code p2-fast=50%}):
 *
 * <ul>
 *   <li>{@code fast}: reads everything as soon as it arrives and only scans for the stamp;
 *   <li>{@code throttle:RATE[:BUFFER]}: reads at most {@code RATE} bytes a second (suffix {@code k}
 *       for KiB) through a socket receive buffer of {@code BUFFER} bytes (default 8k);
 *   <li>{@code stall:N/M}: stops reading for {@code N} seconds every {@code M} seconds, at a random
 *       phase per client;
 *   <li>{@code parse[:MICROS]}: CPU-starved: every client of this kind shares the same few threads
 *       ({@code --parse-threads}), parses every message it receives into a JSON tree and then
 *       spends {@code MICROS} microseconds of CPU on it (default 0), as a page that renders each
 *       message would.
 * </ul>
 *
 * @param label the spec as given, without the count, to name the population in results
 * @param kind how its clients read
 * @param count how many clients
 * @param bytesPerSecond {@code throttle}: the read rate
 * @param receiveBuffer {@code throttle}: the socket receive buffer ({@code SO_RCVBUF})
 * @param stall {@code stall}: how long each stall lasts
 * @param every {@code stall}: how often a stall starts
 * @param workPerMessage {@code parse}: CPU spent on each message after parsing it
 * @param sse whether its clients read server-sent events rather than a websocket
 * @param protocol2 whether its websocket clients speak protocol 2
 */
record LoadPopulation(
    String label,
    Kind kind,
    int count,
    long bytesPerSecond,
    int receiveBuffer,
    Duration stall,
    Duration every,
    Duration workPerMessage,
    boolean sse,
    boolean protocol2) {

  /** A population of protocol 1, or of server-sent events. */
  LoadPopulation(
      String label,
      Kind kind,
      int count,
      long bytesPerSecond,
      int receiveBuffer,
      Duration stall,
      Duration every,
      Duration workPerMessage,
      boolean sse) {
    this(
        label,
        kind,
        count,
        bytesPerSecond,
        receiveBuffer,
        stall,
        every,
        workPerMessage,
        sse,
        false);
  }

  /** The prefix of a population whose clients speak protocol 2. */
  static final String PROTOCOL2_PREFIX = "p2-";

  /** How a population's clients read. */
  enum Kind {
    FAST,
    THROTTLE,
    STALL,
    PARSE
  }

  private static final int DEFAULT_RECEIVE_BUFFER = 8 * 1024;

  /** The prefix of a population that reads server-sent events. */
  static final String SSE_PREFIX = "sse-";

  /** {@code count} fast clients: what the tool measured before it had populations. */
  static LoadPopulation fast(int count) {
    return new LoadPopulation(
        "fast", Kind.FAST, count, 0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, false);
  }

  /**
   * Reads a spec such as {@code throttle:16k=10%}.
   *
   * @param totalClients what a percentage is of
   * @throws IllegalArgumentException naming the spec and what is wrong with it
   */
  static LoadPopulation parse(String spec, int totalClients) {
    int eq = spec.lastIndexOf('=');
    if (spec.startsWith(PROTOCOL2_PREFIX)) {
      LoadPopulation p = parse(spec.substring(PROTOCOL2_PREFIX.length()), totalClients);
      if (p.sse()) {
        throw new IllegalArgumentException(
            "population '" + spec + "': protocol 2 is for websocket clients, not sse-");
      }
      return new LoadPopulation(
          PROTOCOL2_PREFIX + p.label(),
          p.kind(),
          p.count(),
          p.bytesPerSecond(),
          p.receiveBuffer(),
          p.stall(),
          p.every(),
          p.workPerMessage(),
          false,
          true);
    }
    if (eq <= 0 || eq == spec.length() - 1) {
      throw new IllegalArgumentException(
          "population '" + spec + "': expected KIND[:ARGS]=COUNT or KIND[:ARGS]=PERCENT%");
    }
    String label = spec.substring(0, eq);
    int count = count(spec, spec.substring(eq + 1), totalClients);
    boolean sse = label.startsWith(SSE_PREFIX);
    String[] parts = (sse ? label.substring(SSE_PREFIX.length()) : label).split(":", -1);
    String kind = parts[0].toLowerCase(Locale.ROOT);
    switch (kind) {
      case "fast":
        if (parts.length != 1) {
          throw new IllegalArgumentException("population '" + spec + "': fast takes no arguments");
        }
        return new LoadPopulation(
            label, Kind.FAST, count, 0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, sse);
      case "parse":
        if (parts.length > 2) {
          throw new IllegalArgumentException(
              "population '" + spec + "': expected parse[:MICROS], e.g. parse:20");
        }
        Duration work = Duration.ZERO;
        if (parts.length == 2) {
          try {
            work = Duration.ofNanos(Math.multiplyExact(Long.parseLong(parts[1]), 1000));
          } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(
                "population '" + spec + "': '" + parts[1] + "' is not a number of microseconds");
          }
          if (work.isNegative()) {
            throw new IllegalArgumentException(
                "population '" + spec + "': the work per message must not be negative");
          }
        }
        return new LoadPopulation(
            label, Kind.PARSE, count, 0, 0, Duration.ZERO, Duration.ZERO, work, sse);
      case "throttle":
        if (parts.length < 2 || parts.length > 3) {
          throw new IllegalArgumentException(
              "population '" + spec + "': expected throttle:RATE[:BUFFER], e.g. throttle:16k");
        }
        long rate = bytes(spec, parts[1]);
        int buffer = parts.length == 3 ? (int) bytes(spec, parts[2]) : DEFAULT_RECEIVE_BUFFER;
        return new LoadPopulation(
            label,
            Kind.THROTTLE,
            count,
            rate,
            buffer,
            Duration.ZERO,
            Duration.ZERO,
            Duration.ZERO,
            sse);
      case "stall":
        String[] times = parts.length == 2 ? parts[1].split("/", -1) : new String[0];
        if (times.length != 2) {
          throw new IllegalArgumentException(
              "population '" + spec + "': expected stall:SECONDS/EVERY_SECONDS, e.g. stall:5/15");
        }
        Duration stall = seconds(spec, times[0]);
        Duration every = seconds(spec, times[1]);
        if (stall.compareTo(every) >= 0) {
          throw new IllegalArgumentException(
              "population '" + spec + "': the stall must be shorter than its period");
        }
        return new LoadPopulation(label, Kind.STALL, count, 0, 0, stall, every, Duration.ZERO, sse);
      default:
        throw new IllegalArgumentException(
            "population '"
                + spec
                + "': unknown kind '"
                + parts[0]
                + "' (known: fast, throttle, stall, parse)");
    }
  }

  private static int count(String spec, String text, int total) {
    try {
      if (text.endsWith("%")) {
        double percent = Double.parseDouble(text.substring(0, text.length() - 1));
        if (percent <= 0 || percent > 100) {
          throw new IllegalArgumentException(
              "population '" + spec + "': a share must be above 0 % and at most 100 %");
        }
        return (int) Math.round(total * percent / 100);
      }
      int n = Integer.parseInt(text);
      if (n <= 0) {
        throw new IllegalArgumentException("population '" + spec + "': the count must be positive");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "population '" + spec + "': '" + text + "' is not a count or a percentage");
    }
  }

  private static long bytes(String spec, String text) {
    String t = text.toLowerCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("k")) {
      unit = 1024;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      unit = 1024 * 1024;
      t = t.substring(0, t.length() - 1);
    }
    try {
      long v = Math.round(Double.parseDouble(t) * unit);
      if (v <= 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "population '" + spec + "': '" + text + "' is not a positive size such as 16k");
    }
  }

  private static Duration seconds(String spec, String text) {
    try {
      double s = Double.parseDouble(text);
      if (s <= 0) {
        throw new NumberFormatException();
      }
      return Duration.ofMillis(Math.round(s * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "population '" + spec + "': '" + text + "' is not a positive number of seconds");
    }
  }
}
