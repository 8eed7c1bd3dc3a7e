package org.arithmospora.ws;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.ManualScheduler;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.Stat;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.store.InMemoryStore;
import org.arithmospora.core.wire.EncodedMessage;
import org.arithmospora.core.wire.WireFormat;
import org.arithmospora.hub.Connection;
import org.arithmospora.hub.DeliverySettings;
import org.arithmospora.hub.Hub;
import org.arithmospora.hub.OutboundMessage;
import org.arithmospora.hub.Transport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hub's hot paths with websocket framing, without sockets: one change handed to N connections
 * (each gets a shared view of one frame in its queue, as {@link WebSocketTransport} does), and a
 * new client's snapshot from the frames kept per stat, against encoding every stat for that client
 * (what the Go program did). After each operation the queues are drained and acknowledged, as the
 * selector thread and a fast client would. The hub runs on a virtual clock on the benchmark's
 * thread. Run with {@code bench/jmh.sh FanOutBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FanOutBenchmark {
  @Param({"1000", "10000"})
  int connections;

  private ManualScheduler clock;
  private InMemoryStore store;
  private LiveSource source;
  private Hub hub;
  private final List<QueueTransport> transports = new ArrayList<>();
  private long votes;

  /** A websocket connection's queue, as the hub fills it through {@link WebSocketTransport}. */
  private static final class QueueTransport implements Transport {
    final OutQueue queue = new OutQueue();
    Connection connection;
    long lastToken = -1;

    @Override
    public int send(OutboundMessage message) {
      Frame frame = message.framed(WebSocketTransport.FRAMING);
      queue.add(frame.forClient());
      return frame.size();
    }

    @Override
    public void requestAck(long token) {
      lastToken = token;
    }

    @Override
    public void flush() {
      // The selector would be woken here.
    }

    @Override
    public void close(int code, String reason) {}

    @Override
    public void abort(String reason) {}

    @Override
    public String describe() {
      return "bench";
    }

    /** The selector's part and a fast client's: take the frames, answer the ping. */
    int drain() {
      int n = 0;
      while (queue.poll() != null) {
        n++;
      }
      if (lastToken >= 0) {
        connection.acknowledged(lastToken);
        lastToken = -1;
      }
      return n;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    clock = new ManualScheduler(Instant.parse("2026-11-05T20:00:00Z"));
    store = new InMemoryStore();
    SourceDefinition.Builder def = SourceDefinition.builder("bench");
    for (int i = 0; i < 16; i++) {
      def.stat(StatDefinition.of("proportion", "stat" + i));
      InMemoryStore.Node node = store.stat("stat" + i).set("current", i).set("total", 100);
      for (int d = 0; d < 10; d++) {
        node.dataPoint("dp" + d).set("current", d).set("total", 10);
      }
    }
    source = LiveSource.builder(def.build()).loader(store).scheduler(clock).build();
    source.start();
    hub =
        Hub.builder(
                DeliverySettings.builder()
                    .pongWait(Duration.ofDays(1))
                    .pingPeriod(Duration.ofHours(1))
                    .build())
            .source(source)
            .scheduler(
                clock,
                () -> {
                  Instant t = clock.now();
                  return t.getEpochSecond() * 1_000_000_000L + t.getNano();
                })
            .build();
    hub.start();
    for (int i = 0; i < connections; i++) {
      QueueTransport t = new QueueTransport();
      t.connection = hub.connect("bench", t);
      transports.add(t);
    }
    clock.advance(Duration.ofMillis(200));
    drain();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    hub.stop();
    source.close();
  }

  private int drain() {
    int n = 0;
    for (QueueTransport t : transports) {
      n += t.drain();
    }
    // One tick of the hub's clock: it takes the acknowledgements then, and reopens the windows.
    clock.advance(Duration.ofMillis(5));
    return n;
  }

  /**
   * One update (a stat re-read and encoded once) handed to every connection: a shared view per
   * connection, no encoding, no copy; then drained, acknowledged and one tick of the hub.
   *
   * @throws IllegalStateException if some connection did not get it (a window left shut)
   */
  @Benchmark
  public int fanOutOneChange() {
    store.stat("stat3").set("current", ++votes);
    source.refreshAll();
    int n = drain();
    if (n < connections) {
      throw new IllegalStateException(n + " of " + connections + " connections got the change");
    }
    return n;
  }

  /** Framing a change once: the one copy made per change. */
  @Benchmark
  public Frame frameOneChange() {
    return Frame.of(source.stats().get(3).message().orElseThrow());
  }

  /** A new client's 16-stat snapshot from the kept frames: connect, snapshot, leave. */
  @Benchmark
  public int snapshotFromKeptFrames() {
    QueueTransport t = new QueueTransport();
    t.connection = hub.connect("bench", t);
    clock.advance(Duration.ofMillis(101));
    int n = t.drain();
    t.connection.closed();
    return n;
  }

  /** The same snapshot encoded afresh for the client, as the Go program did. */
  @Benchmark
  public int snapshotEncodedPerClient() {
    int bytes = 0;
    for (Stat s : source.stats()) {
      EncodedMessage m = WireFormat.stat(s.definition(), s.current().orElseThrow());
      ByteBuffer framed = Frame.of(m).forClient();
      bytes += framed.remaining();
    }
    return bytes;
  }
}
