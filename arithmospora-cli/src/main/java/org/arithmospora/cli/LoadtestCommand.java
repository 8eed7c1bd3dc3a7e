package org.arithmospora.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.arithmospora.core.WireFormat;
import org.arithmospora.redis.RedisSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * {@code arithmospora loadtest}: how many screens can one box serve? Opens N websocket clients
 * from one process, times the connect storm (and a reconnect storm), then writes updates to Redis
 * as a site's writer does and measures how long each takes to reach every client.
 */
@Command(name = "loadtest", description = {
    "Open many websocket clients against a server, time the connect and reconnect storms, and measure",
    "update latency from a write to Redis to its arrival at each client.",
    "The server must serve a source with a single_value stat 'loadstamp' in group 'other' (see bench/loadtest.conf)."})
final class LoadtestCommand implements Callable<Integer> {
  @Option(names = "--url", required = true, paramLabel = "URL", description = "The source's websocket URL, e.g. ws://127.0.0.1:8080/loadtest.")
  URI url;

  @Option(names = "--clients", defaultValue = "1000", paramLabel = "N", description = "Clients to open (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--threads", defaultValue = "2", paramLabel = "N", description = "Selector threads for the clients (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--redis", defaultValue = "127.0.0.1:6379", paramLabel = "HOST:PORT", description = "The server's Redis (default: ${DEFAULT-VALUE}).")
  String redis;

  @Option(names = "--db", defaultValue = "1", paramLabel = "N", description = "Redis database (default: ${DEFAULT-VALUE}).")
  int db;

  @Option(names = "--prefix", defaultValue = "loadtest", paramLabel = "PREFIX", description = "The source's redis_prefix (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Option(names = "--touch", defaultValue = "total,departments", split = ",", paramLabel = "STATS",
      description = "Proportion stats each update increments, besides the stamp (default: ${DEFAULT-VALUE}).")
  List<String> touch;

  @Option(names = "--rate", defaultValue = "5", paramLabel = "PER_SECOND", description = "Updates per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", defaultValue = "30", paramLabel = "SECONDS", description = "How long to write updates (default: ${DEFAULT-VALUE}).")
  int duration;

  @Option(names = "--max-pending", defaultValue = "1000", paramLabel = "N",
      description = "Most handshakes in flight during a storm (default: ${DEFAULT-VALUE}).")
  int maxPending;

  @Option(names = "--seed", description = "First fill Redis with the data of bench/loadtest.conf.")
  boolean seed;

  @Option(names = "--hold", defaultValue = "0", paramLabel = "SECONDS",
      description = "After the connect storm, hold the idle connections this long before writing (to measure memory).")
  int hold;

  @Option(names = "--no-reconnect", description = "Skip the reconnect storm.")
  boolean noReconnect;

  @Option(names = "--reconnect-after", defaultValue = "500", paramLabel = "MILLIS",
      description = "Pause between dropping every client and reopening them (default: ${DEFAULT-VALUE}). "
          + "Short, the server still closes the old connections while the new ones arrive.")
  long reconnectAfterMillis;

  @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS", description = "Longest wait for a storm to complete (default: ${DEFAULT-VALUE}).")
  int timeout;

  @Option(names = "--json", description = "Print the results as one JSON object instead of the summary line.")
  boolean json;

  @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  PrintStream out = System.out;
  PrintStream progress = System.err;

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
  }

  Result result;

  @Override
  public Integer call() throws Exception {
    RedisSettings address = RedisSettings.builder().address(redis).build();
    try (RedisClient writerClient = RedisClient.builder().hostAndPort(new HostAndPort(address.host(), address.port()))
            .clientConfig(DefaultJedisClientConfig.builder().database(db).build()).build();
        LoadClients load = new LoadClients(url, clients, threads)) {
      LoadWriter writer = new LoadWriter(writerClient, prefix, touch);
      if (seed) {
        writer.seed();
      }
      writer.update(); // a stamp exists before anyone connects
      Result r = new Result();
      r.clients = clients;
      result = r;

      progress.printf("Connecting %d clients to %s ...%n", clients, url);
      r.connectStormSeconds = storm(load);
      if (r.connectStormSeconds < 0) {
        progress.printf("Connect storm incomplete after %d s: %d opened, %d with a full snapshot, %d failed%n",
            timeout, load.opened.get(), load.snapshotsComplete.get(), load.failed.get());
      }

      if (hold > 0) {
        progress.printf("HOLDING %d idle connections for %d s%n", load.opened.get() - load.dropped.get(), hold);
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
      long reportedMessages = messages0;
      while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(duration)) {
        long now = System.nanoTime();
        if (now >= next) {
          writer.update();
          r.updates++;
          next += interval;
        }
        if (now >= nextReport) {
          Histogram second = load.latency.getIntervalHistogram();
          total.add(second);
          long m = load.messages.get();
          progress.printf(Locale.ROOT, "  %3ds: %d/%d connected, %,d msg/s, p99 %.1f ms, dropped %d%n",
              TimeUnit.NANOSECONDS.toSeconds(now - start), load.opened.get() - load.dropped.get(), clients,
              m - reportedMessages, second.getValueAtPercentile(99) / 1000.0, load.dropped.get());
          reportedMessages = m;
          nextReport += TimeUnit.SECONDS.toNanos(1);
        }
        long sleep = Math.min(next, nextReport) - System.nanoTime();
        if (sleep > 0) {
          TimeUnit.NANOSECONDS.sleep(sleep);
        }
      }
      // Let the last update arrive: the debounce can hold it for up to a second.
      long lastStamp = writer.lastStamp();
      BooleanSupplier settled = () -> load.stale(lastStamp) == 0;
      waitFor(settled, Duration.ofSeconds(5));
      double elapsed = (System.nanoTime() - start) / 1e9;
      load.recording = false;
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
      return r.connectStormSeconds >= 0 && r.dropped == 0 && r.stale == 0 ? 0 : Commands.FAILURE;
    }
  }

  private double storm(LoadClients load) throws InterruptedException {
    long t0 = System.nanoTime();
    load.connectAll(maxPending);
    if (waitFor(() -> load.opened.get() >= clients, Duration.ofSeconds(timeout)) && result.connectHandshakesSeconds < 0) {
      // The first storm's: when every client had its handshake, before the snapshots.
      result.connectHandshakesSeconds = (System.nanoTime() - t0) / 1e9;
    }
    boolean complete = waitFor(() -> load.snapshotsComplete.get() >= clients, Duration.ofSeconds(timeout));
    return complete ? (System.nanoTime() - t0) / 1e9 : -1;
  }

  private static boolean waitFor(BooleanSupplier condition, Duration limit) throws InterruptedException {
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
    return String.format(Locale.ROOT,
        "%d clients: connect storm %s, reconnect storm %s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms"
            + " (%d samples of %d updates); %,.0f msg/s, %.2f MB/s; dropped %d, stale %d, failed %d",
        r.clients, seconds(r.connectStormSeconds), seconds(r.reconnectStormSeconds), r.p50, r.p90, r.p99, r.max,
        r.samples, r.updates, r.messagesPerSecond, r.bytesPerSecond / 1e6, r.dropped, r.stale, r.failed);
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
    g.writeEndObject();
    g.flush();
    out.println();
  }

}
