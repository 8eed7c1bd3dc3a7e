package org.arithmospora.ws;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.arithmospora.core.EncodedMessage;
import org.arithmospora.core.InMemoryStore;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.ManualScheduler;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.Stat;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.WireFormat;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hub's hot paths, without sockets: one change handed to N connections, and a new client's
 * snapshot from the frames kept per stat, against encoding every stat for that client (what the
 * Go program did). After each operation the queues are drained as the selector thread would.
 * Run with {@code bench/jmh.sh FanOutBenchmark}.
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

  private Hub hub;
  private Hub.Channel channel;
  private final List<WebSocketImpl> conns = new ArrayList<>();
  private Hub.Client newcomer;
  private LiveSource source;
  private Frame change;

  @Setup(Level.Trial)
  public void setUp() {
    InMemoryStore store = new InMemoryStore();
    SourceDefinition.Builder def = SourceDefinition.builder("bench");
    for (int i = 0; i < 16; i++) {
      def.stat(StatDefinition.of("proportion", "stat" + i));
      InMemoryStore.Node node = store.stat("stat" + i).set("current", i).set("total", 100);
      for (int d = 0; d < 10; d++) {
        node.dataPoint("dp" + d).set("current", d).set("total", 10);
      }
    }
    source = LiveSource.builder(def.build()).loader(store).scheduler(new ManualScheduler(Instant.now())).build();
    source.start();
    WebSocketSettings settings = WebSocketSettings.builder().build();
    hub = new Hub(settings);
    hub.addSource(source);
    hub.flushManually();
    channel = hub.channels().get(0);
    for (Stat s : source.stats()) {
      EncodedMessage m = s.message().orElseThrow();
      channel.fanOut(Frame.of(m.event(), m));
    }
    List<Draft> drafts = Collections.singletonList(new Draft_6455());
    WebSocketAdapter listener = new NoListener();
    for (int i = 0; i < connections; i++) {
      WebSocketImpl conn = OutQueue.install(new WebSocketImpl(listener, drafts));
      Hub.Client client = hub.attach(conn, channel);
      client.snapshotSent = true;
      conns.add(conn);
    }
    newcomer = hub.attach(OutQueue.install(new WebSocketImpl(listener, drafts)), channel);
    drain();
    EncodedMessage m = source.stats().get(3).message().orElseThrow();
    change = Frame.of(m.event(), m);
  }

  private void drain() {
    hub.flush();
    for (WebSocketImpl c : conns) {
      while (c.outQueue.poll() != null) {
        // The selector's part: taking written frames off.
      }
    }
    while (newcomer.conn.outQueue.poll() != null) {
      // Likewise.
    }
  }

  /** One change to every connection: a shared view per connection, no encoding, no copy. */
  @Benchmark
  public int fanOutOneChange() {
    channel.deliver(change);
    int queued = conns.get(0).outQueue.size();
    drain();
    return queued;
  }

  /** Framing a change once: the one copy made per change. */
  @Benchmark
  public Frame frameOneChange() {
    return Frame.of(change.key(), source.stats().get(3).message().orElseThrow());
  }

  /** A new client's snapshot of 16 stats from the kept frames. */
  @Benchmark
  public int snapshotFromKeptFrames() {
    hub.sendSnapshot(newcomer);
    int queued = newcomer.conn.outQueue.size();
    hub.flush();
    while (newcomer.conn.outQueue.poll() != null) {
      // The selector's part.
    }
    return queued;
  }

  /** The same snapshot encoded afresh for the client, as the Go program did. */
  @Benchmark
  public int snapshotEncodedPerClient() {
    int bytes = 0;
    for (Stat s : source.stats()) {
      EncodedMessage m = WireFormat.stat(s.definition(), s.current().orElseThrow());
      ByteBuffer framed = Frame.of(m.event(), m).forClient();
      bytes += framed.remaining();
    }
    return bytes;
  }

  /** A listener for connections that never open. */
  private static final class NoListener extends WebSocketAdapter {
    @Override
    public void onWebsocketMessage(WebSocket conn, String message) {}

    @Override
    public void onWebsocketMessage(WebSocket conn, ByteBuffer blob) {}

    @Override
    public void onWebsocketOpen(WebSocket conn, org.java_websocket.handshake.Handshakedata d) {}

    @Override
    public void onWebsocketClose(WebSocket ws, int code, String reason, boolean remote) {}

    @Override
    public void onWebsocketClosing(WebSocket ws, int code, String reason, boolean remote) {}

    @Override
    public void onWebsocketCloseInitiated(WebSocket ws, int code, String reason) {}

    @Override
    public void onWebsocketError(WebSocket conn, Exception ex) {}

    @Override
    public void onWriteDemand(WebSocket conn) {}

    @Override
    public java.net.InetSocketAddress getLocalSocketAddress(WebSocket conn) {
      return null;
    }

    @Override
    public java.net.InetSocketAddress getRemoteSocketAddress(WebSocket conn) {
      return null;
    }

  }
}
