package org.arithmospora.loadtest;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.arithmospora.core.wire.WireFormat;
import org.arithmospora.redis.RedisSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * {@code arithmospora loadtest}: how many screens can one box serve? Opens N websocket clients from
 * one process, times the connect storm (and a reconnect storm), then writes updates to Redis as a
 * site's writer does and measures how long each takes to reach every client.
 *
 * <p>Its length is its options and the fields of its report, one each.
 */
@Command(
    name = "loadtest",
    description = {
      "Open many websocket clients against a server, time the connect and reconnect storms, and measure",
      "update latency from a write to Redis to its arrival at each client, for fast, throttled, stalling and",
      "CPU-starved audiences (--population).",
      "The server must serve a source with a single_value stat 'loadstamp' in group 'other' (see bench/loadtest.conf)."
    })
public final class LoadtestCommand implements Callable<Integer> {
  /** Exit status when a client was dropped, left stale, or the storm never completed. */
  static final int FAILURE = 1;

  @Option(
      names = "--url",
      required = true,
      paramLabel = "URL",
      description = {
        "The source's websocket URL, such as",
        "ws://127.0.0.1:8080/loadtest",
        "Repeat it for several servers: each population is shared among them, and reported for each."
      })
  List<URI> urls = new ArrayList<>();

  @Option(
      names = "--sse-url",
      paramLabel = "URL",
      description = {
        "The source's event stream, for sse- populations, such as",
        "http://127.0.0.1:8081/sources/loadtest/events"
      })
  URI sseUrl;

  @Option(
      names = "--clients",
      defaultValue = "1000",
      paramLabel = "N",
      description = "Clients to open (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(
      names = "--threads",
      defaultValue = "2",
      paramLabel = "N",
      description = "Selector threads for the clients (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--redis",
      defaultValue = "127.0.0.1:6379",
      paramLabel = "HOST:PORT",
      description = "The server's Redis (default: ${DEFAULT-VALUE}).")
  String redis;

  @Option(
      names = "--db",
      defaultValue = "1",
      paramLabel = "N",
      description = "Redis database (default: ${DEFAULT-VALUE}).")
  int db;

  @Option(
      names = "--prefix",
      defaultValue = "loadtest",
      paramLabel = "PREFIX",
      description = "The source's redis_prefix (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Option(
      names = "--touch",
      defaultValue = "total,departments",
      split = ",",
      paramLabel = "STATS",
      description =
          "Proportion stats each update increments, besides the stamp (default: ${DEFAULT-VALUE}).")
  List<String> touch;

  @Option(
      names = "--rate",
      defaultValue = "5",
      paramLabel = "PER_SECOND",
      description = "Updates per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--duration",
      defaultValue = "30",
      paramLabel = "SECONDS",
      description = "How long to write updates (default: ${DEFAULT-VALUE}).")
  int duration;

  @Option(
      names = "--max-pending",
      defaultValue = "1000",
      paramLabel = "N",
      description = "Most handshakes in flight during a storm (default: ${DEFAULT-VALUE}).")
  int maxPending;

  @Option(names = "--seed", description = "First fill Redis with the data of bench/loadtest.conf.")
  boolean seed;

  @Option(
      names = "--hold",
      defaultValue = "0",
      paramLabel = "SECONDS",
      description =
          "After the connect storm, hold the idle connections this long before writing (to measure memory).")
  int hold;

  @Option(names = "--no-reconnect", description = "Skip the reconnect storm.")
  boolean noReconnect;

  @Option(
      names = "--reconnect-after",
      defaultValue = "500",
      paramLabel = "MILLIS",
      description =
          "Pause between dropping every client and reopening them (default: ${DEFAULT-VALUE}). "
              + "Short, the server still closes the old connections while the new ones arrive.")
  long reconnectAfterMillis;

  @Option(
      names = "--timeout",
      defaultValue = "120",
      paramLabel = "SECONDS",
      description = "Longest wait for a storm to complete (default: ${DEFAULT-VALUE}).")
  int timeout;

  @Option(
      names = "--population",
      paramLabel = "KIND[:ARGS]=COUNT|PERCENT%",
      description = {
        "A population of clients that read alike (repeatable; default: --clients fast ones). Kinds:",
        "  fast                 read everything at once;",
        "  throttle:RATE[:BUF]  read RATE bytes/s (16k = 16 KiB) through a BUF-byte receive buffer (default 8k);",
        "  stall:N/M            stop reading for N s every M s;",
        "  parse[:MICROS]       CPU-starved: all share --parse-threads threads, parse every message as JSON",
        "                       and spend MICROS µs of CPU on each (default 0), as a page drawing it would;",
        "Prefixed sse-, the same kinds read server-sent events from --sse-url (e.g. sse-fast=50%%);",
        "prefixed p2-, they speak protocol 2: hello, subscribe to every stat, then deltas (p2-fast=50%%).",
        "A percentage is of --clients; e.g. --population fast=50%% --population parse=30%% --population throttle:16k=10%%"
            + " --population stall:5/15=10%%."
      })
  List<String> populationSpecs;

  @Option(
      names = "--parse-threads",
      defaultValue = "1",
      paramLabel = "N",
      description = "Threads shared by every 'parse' client (default: ${DEFAULT-VALUE}).")
  int parseThreads;

  @Option(
      names = "--settle",
      defaultValue = "10",
      paramLabel = "SECONDS",
      description =
          "After writing, how long clients may take to receive the last update before they count as stale "
              + "(default: ${DEFAULT-VALUE}).")
  int settle;

  @Option(
      names = "--json",
      description = "Print the results as one JSON object instead of the summary line.")
  boolean json;

  @Option(
      names = {"-h", "-help", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  final PrintStream out;
  final PrintStream progress;

  /** A load test that prints its results to standard output and its progress to standard error. */
  public LoadtestCommand() {
    this(System.out, System.err);
  }

  /**
   * A load test that prints its results (the summary line or the JSON object) to {@code out} and
   * its progress to {@code progress}.
   */
  public LoadtestCommand(PrintStream out, PrintStream progress) {
    this.out = out;
    this.progress = progress;
  }

  /** The results, for the summary and tests. */
  static final class Result {
    int clients;
    double connectStormSeconds = -1;
    double connectHandshakesSeconds = -1;
    double reconnectStormSeconds = -1;
    long reconnectAfterMillis;
    long updates;
    long samples;
    double p50;
    double p90;
    double p99;
    double max;
    double messagesPerSecond;
    double bytesPerSecond;
    int dropped;
    int stale;
    int failed;
    final List<PopulationResult> populations = new ArrayList<>();
  }

  /** What one population measured while updates were written. */
  static final class PopulationResult {
    String label;
    int clients;

    /** Possible: every version of every stat an update changed, had nothing been conflated. */
    double messagesPerClient;

    double bytesPerClient;
    long freshnessSamples;
    double freshnessP50;
    double freshnessP99;
    double freshnessMax;
    double ageP50;
    double ageP99;
    double ageMax;
    final List<Double> ageP99BySecond = new ArrayList<>();
    Map<String, Long> dropReasons = Map.of();
    int dropped;
    int stale;
  }

  Result result;

  @Override
  public Integer call() throws Exception {
    RedisSettings address = RedisSettings.builder().address(redis).build();
    try (RedisClient writerClient =
            RedisClient.builder()
                .hostAndPort(new HostAndPort(address.host(), address.port()))
                .clientConfig(DefaultJedisClientConfig.builder().database(db).build())
                .build();
        LoadClients load = new LoadClients(urls, sseUrl, populations(), threads, parseThreads)) {
      LoadWriter writer = new LoadWriter(writerClient, prefix, touch);
      clients = load.size();
      if (seed) {
        writer.seed();
      }
      writer.update(); // a stamp exists before anyone connects
      Result r = new Result();
      r.clients = clients;
      result = r;

      progress.printf(
          "Connecting %d clients to %s ...%n",
          clients, String.join(", ", urls.stream().map(URI::toString).toList()));
      r.connectStormSeconds = storm(load);
      if (r.connectStormSeconds < 0) {
        progress.printf(
            "Connect storm incomplete after %d s: %d opened, %d with a full snapshot, %d failed%n",
            timeout, load.opened.get(), load.snapshotsComplete.get(), load.failed.get());
      }

      if (hold > 0) {
        progress.printf(
            "HOLDING %d idle connections for %d s%n", load.opened.get() - load.dropped.get(), hold);
        progress.flush();
        Thread.sleep(TimeUnit.SECONDS.toMillis(hold));
      }
      progress.printf("Writing %.1f updates/s for %d s ...%n", rate, duration);
      load.latency.reset();
      load.recording = true;
      long messages0 = load.messages.get();
      long bytes0 = load.bytes.get();
      long start = System.nanoTime();
      long interval = (long) (1_000_000_000L / rate);
      long next = start;
      long nextReport = start + TimeUnit.SECONDS.toNanos(1);
      Histogram total = new Histogram(3);
      for (LoadClients.Group g : load.groups()) {
        g.freshness.reset();
        PopulationResult pr = new PopulationResult();
        pr.label = g.label;
        pr.clients = g.clients.size();
        r.populations.add(pr);
      }
      long reportedMessages = messages0;
      long nextSample = start;
      long firstStamp = 0;
      while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(duration)) {
        long now = System.nanoTime();
        if (now >= next) {
          long stamp = writer.update();
          firstStamp = firstStamp == 0 ? stamp : firstStamp;
          r.updates++;
          next += interval;
        }
        if (now >= nextSample) {
          load.sampleAges(LoadClients.nowMicros(), firstStamp);
          nextSample += SAMPLE_INTERVAL_NANOS;
        }
        if (now >= nextReport) {
          Histogram second = load.latency.getIntervalHistogram();
          total.add(second);
          long m = load.messages.get();
          StringBuilder ages = new StringBuilder();
          for (int i = 0; i < load.groups().size(); i++) {
            double p99 = load.groups().get(i).takeSecondAgeP99Millis();
            r.populations.get(i).ageP99BySecond.add(p99);
            ages.append(
                String.format(
                    Locale.ROOT, ", %s age p99 %.0f ms", r.populations.get(i).label, p99));
          }
          progress.printf(
              Locale.ROOT,
              "  %3ds: %d/%d connected, %,d msg/s, p99 %.1f ms, dropped %d%s%n",
              TimeUnit.NANOSECONDS.toSeconds(now - start),
              load.opened.get() - load.dropped.get(),
              clients,
              m - reportedMessages,
              second.getValueAtPercentile(99) / 1000.0,
              load.dropped.get(),
              ages);
          reportedMessages = m;
          nextReport += TimeUnit.SECONDS.toNanos(1);
        }
        long sleep = Math.min(Math.min(next, nextReport), nextSample) - System.nanoTime();
        if (sleep > 0) {
          TimeUnit.NANOSECONDS.sleep(sleep);
        }
      }
      // Let the last update arrive: the debounce can hold it for up to a second, and slow clients
      // take longer.
      long lastStamp = writer.lastStamp();
      BooleanSupplier settled = () -> load.stale(lastStamp) == 0;
      waitFor(settled, Duration.ofSeconds(settle));
      double elapsed = (System.nanoTime() - start) / 1e9;
      load.recording = false;
      for (int i = 0; i < load.groups().size(); i++) {
        populationResult(load.groups().get(i), r.populations.get(i), lastStamp);
      }
      total.add(load.latency.getIntervalHistogram());
      r.samples = total.getTotalCount();
      r.p50 = total.getValueAtPercentile(50) / 1000.0;
      r.p90 = total.getValueAtPercentile(90) / 1000.0;
      r.p99 = total.getValueAtPercentile(99) / 1000.0;
      r.max = total.getMaxValue() / 1000.0;
      r.messagesPerSecond = (load.messages.get() - messages0) / elapsed;
      r.bytesPerSecond = (load.bytes.get() - bytes0) / elapsed;
      r.stale = load.stale(lastStamp);
      r.dropped = load.dropped.get();

      if (!noReconnect) {
        progress.printf("Reconnect storm: dropping and reopening %d clients ...%n", clients);
        load.disconnectAll();
        Thread.sleep(reconnectAfterMillis);
        r.reconnectAfterMillis = reconnectAfterMillis;
        r.reconnectStormSeconds = storm(load);
      }
      r.failed = load.failed.get();
      result = r;
      if (json) {
        printJson(r);
      } else {
        out.println(summary(r));
      }
      return r.connectStormSeconds >= 0 && r.dropped == 0 && r.stale == 0 ? 0 : FAILURE;
    }
  }

  /** Every 100 ms, the age of what each client holds is sampled. */
  private static final long SAMPLE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private List<LoadPopulation> populations() {
    if (populationSpecs == null || populationSpecs.isEmpty()) {
      return List.of(LoadPopulation.fast(clients));
    }
    List<LoadPopulation> list = new ArrayList<>();
    for (String spec : populationSpecs) {
      list.add(LoadPopulation.parse(spec, clients));
    }
    return list;
  }

  private static void populationResult(LoadClients.Group g, PopulationResult pr, long lastStamp) {
    int n = Math.max(1, g.clients.size());
    pr.messagesPerClient = g.messages.sum() / (double) n;
    pr.bytesPerClient = g.bytes.sum() / (double) n;
    Histogram freshness = g.freshness.getIntervalHistogram();
    pr.freshnessSamples = freshness.getTotalCount();
    pr.freshnessP50 = freshness.getValueAtPercentile(50) / 1000.0;
    pr.freshnessP99 = freshness.getValueAtPercentile(99) / 1000.0;
    pr.freshnessMax = freshness.getMaxValue() / 1000.0;
    synchronized (g) {
      pr.ageP50 = g.ages.getValueAtPercentile(50) / 1000.0;
      pr.ageP99 = g.ages.getValueAtPercentile(99) / 1000.0;
      pr.ageMax = g.ages.getMaxValue() / 1000.0;
    }
    pr.dropReasons = g.dropReasonCounts();
    pr.dropped = g.droppedCount();
    pr.stale = g.stale(lastStamp);
  }

  private double storm(LoadClients load) throws InterruptedException {
    long t0 = System.nanoTime();
    load.connectAll(maxPending);
    if (waitFor(() -> load.opened.get() >= clients, Duration.ofSeconds(timeout))
        && result.connectHandshakesSeconds < 0) {
      // The first storm's: when every client had its handshake, before the snapshots.
      result.connectHandshakesSeconds = (System.nanoTime() - t0) / 1e9;
    }
    boolean complete =
        waitFor(() -> load.snapshotsComplete.get() >= clients, Duration.ofSeconds(timeout));
    return complete ? (System.nanoTime() - t0) / 1e9 : -1;
  }

  private static boolean waitFor(BooleanSupplier condition, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  static String summary(Result r) {
    StringBuilder populations = new StringBuilder();
    for (PopulationResult p : r.populations) {
      populations.append(
          String.format(
              Locale.ROOT,
              "%n  %s (%d): age p50 %.0f ms, p99 %.0f ms, max %.0f ms; freshness p99 %.0f ms; %.1f msg/client;"
                  + " dropped %d %s, stale %d",
              p.label,
              p.clients,
              p.ageP50,
              p.ageP99,
              p.ageMax,
              p.freshnessP99,
              p.messagesPerClient,
              p.dropped,
              p.dropReasons,
              p.stale));
    }
    return summaryLine(r) + populations;
  }

  private static String summaryLine(Result r) {
    return String.format(
        Locale.ROOT,
        "%d clients: connect storm %s, reconnect storm %s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms"
            + " (%d samples of %d updates); %,.0f msg/s, %.2f MB/s; dropped %d, stale %d, failed %d",
        r.clients,
        seconds(r.connectStormSeconds),
        seconds(r.reconnectStormSeconds),
        r.p50,
        r.p90,
        r.p99,
        r.max,
        r.samples,
        r.updates,
        r.messagesPerSecond,
        r.bytesPerSecond / 1e6,
        r.dropped,
        r.stale,
        r.failed);
  }

  private static String seconds(double s) {
    return s < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f s", s);
  }

  private void printJson(Result r) throws java.io.IOException {
    JsonGenerator g = WireFormat.jsonFactory().createGenerator(out);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    g.writeStartObject();
    g.writeNumberField("clients", r.clients);
    g.writeNumberField("connectStormSeconds", r.connectStormSeconds);
    g.writeNumberField("connectHandshakesSeconds", r.connectHandshakesSeconds);
    g.writeNumberField("reconnectStormSeconds", r.reconnectStormSeconds);
    g.writeNumberField("reconnectAfterMillis", r.reconnectAfterMillis);
    g.writeNumberField("updates", r.updates);
    g.writeNumberField("latencySamples", r.samples);
    g.writeNumberField("latencyP50Ms", r.p50);
    g.writeNumberField("latencyP90Ms", r.p90);
    g.writeNumberField("latencyP99Ms", r.p99);
    g.writeNumberField("latencyMaxMs", r.max);
    g.writeNumberField("messagesPerSecond", r.messagesPerSecond);
    g.writeNumberField("bytesPerSecond", r.bytesPerSecond);
    g.writeNumberField("dropped", r.dropped);
    g.writeNumberField("stale", r.stale);
    g.writeNumberField("failed", r.failed);
    g.writeArrayFieldStart("populations");
    for (PopulationResult p : r.populations) {
      g.writeStartObject();
      g.writeStringField("population", p.label);
      g.writeNumberField("clients", p.clients);
      g.writeNumberField("messagesPerClient", p.messagesPerClient);
      g.writeNumberField("bytesPerClient", p.bytesPerClient);
      g.writeNumberField("freshnessSamples", p.freshnessSamples);
      g.writeNumberField("freshnessP50Ms", p.freshnessP50);
      g.writeNumberField("freshnessP99Ms", p.freshnessP99);
      g.writeNumberField("freshnessMaxMs", p.freshnessMax);
      g.writeNumberField("ageP50Ms", p.ageP50);
      g.writeNumberField("ageP99Ms", p.ageP99);
      g.writeNumberField("ageMaxMs", p.ageMax);
      g.writeArrayFieldStart("ageP99BySecondMs");
      for (double v : p.ageP99BySecond) {
        g.writeNumber(Math.round(v));
      }
      g.writeEndArray();
      g.writeNumberField("dropped", p.dropped);
      g.writeObjectFieldStart("dropReasons");
      for (Map.Entry<String, Long> e : p.dropReasons.entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeNumberField("stale", p.stale);
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
    g.flush();
    out.println();
  }
}
