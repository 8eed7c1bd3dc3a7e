package org.arithmospora.loadtest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.arithmospora.core.wire.WireFormat;

/**
 * Many websocket clients in one process on non-blocking sockets: a few selector threads, no thread
 * per client, a small object and no buffer per idle client. Each client checks that it got {@code
 * available} and then one message per stat it lists (the snapshot), counts what it receives, and
 * records the freshness of messages that carry a write timestamp.
 *
 * <p>Clients read as their {@link LoadPopulation} says: fast, throttled to a byte rate, stalling
 * now and then, or CPU-starved (many on one thread, parsing every message). Only the last kind
 * parses JSON; the others scan the bytes for what they need, so that the tool itself is not the
 * bottleneck when it should not be. Both accept any server's spacing ({@code {"event": ...}}).
 *
 * <p>One class because every population shares the selector loops, their timers and the
 * measurements; populations differ only in how a client reads, which is a few methods each.
 */
final class LoadClients implements AutoCloseable {
  private static final byte[] KEY = "dGhlIHNhbXBsZSBub25jZQ==".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STAMP_FIELD =
      ("\"" + LoadWriter.STAMP_STAT + "\"").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT_FIELD = "\"event\"".getBytes(StandardCharsets.US_ASCII);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String stampEvent;
  private final List<Loop> loops = new ArrayList<>();
  private final List<Client> clients = new ArrayList<>();
  private final List<Group> groups = new ArrayList<>();
  private final ConcurrentLinkedQueue<Client> waiting = new ConcurrentLinkedQueue<>();

  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger snapshotsComplete = new AtomicInteger();
  final AtomicInteger dropped = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  final AtomicLong messages = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();

  /** Freshness in microseconds of stamped messages (every population), while recording is on. */
  final Recorder latency = new Recorder(3);

  volatile boolean recording;

  /**
   * @param threads selector threads for every population but {@code parse}
   * @param parseThreads threads shared by all {@code parse} clients
   */
  LoadClients(URI url, List<LoadPopulation> populations, int threads, int parseThreads)
      throws IOException {
    this(url, null, populations, threads, parseThreads);
  }

  /**
   * @param sseUrl the source's event stream, e.g. {@code http://127.0.0.1:8081/sources/x/events},
   *     for the populations that read server-sent events; null when none does
   */
  LoadClients(URI url, URI sseUrl, List<LoadPopulation> populations, int threads, int parseThreads)
      throws IOException {
    this(List.of(url), sseUrl, populations, threads, parseThreads);
  }

  /**
   * Clients of several servers at once: each websocket population is shared among {@code urls} (one
   * group per server, labelled with its address, when there are several), as a load balancer
   * without sticky sessions shares an audience.
   */
  LoadClients(
      List<URI> urls, URI sseUrl, List<LoadPopulation> populations, int threads, int parseThreads)
      throws IOException {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("no websocket URL to connect to");
    }
    List<Target> targets = new ArrayList<>();
    for (URI url : urls) {
      targets.add(Target.websocket(url));
    }
    Target sse = null;
    if (sseUrl != null) {
      sse = Target.eventStream(sseUrl);
    } else if (populations.stream().anyMatch(LoadPopulation::sse)) {
      throw new IllegalArgumentException("an sse- population needs the event stream's URL");
    }
    this.stampEvent = "stats:other:" + LoadWriter.STAMP_STAT;
    List<Loop> general = new ArrayList<>();
    List<Loop> parsing = new ArrayList<>();
    for (LoadPopulation p : populations) {
      List<Loop> pool = p.kind() == LoadPopulation.Kind.PARSE ? parsing : general;
      int size = p.kind() == LoadPopulation.Kind.PARSE ? parseThreads : threads;
      while (pool.size() < size) {
        Loop loop = new Loop((pool == parsing ? "loadtest-parse-" : "loadtest-") + pool.size());
        pool.add(loop);
        loops.add(loop);
      }
      List<Target> these = p.sse() ? List.of(sse) : targets;
      for (int t = 0; t < these.size(); t++) {
        // The population's clients dealt out in turn: the first servers get one more when it
        // does not divide evenly.
        int count = p.count() / these.size() + (t < p.count() % these.size() ? 1 : 0);
        Group group =
            new Group(
                p,
                these.get(t),
                these.size() > 1 ? p.label() + "@" + these.get(t).name : p.label());
        groups.add(group);
        for (int i = 0; i < count; i++) {
          Client c = new Client(pool.get(i % pool.size()), group);
          clients.add(c);
          group.clients.add(c);
        }
      }
    }
    // Mixed populations connect interleaved, as a real audience arrives.
    java.util.Collections.shuffle(clients, new java.util.Random(42));
    loops.forEach(Loop::start);
  }

  int size() {
    return clients.size();
  }

  /** The populations, in the order given. */
  List<Group> groups() {
    return groups;
  }

  /**
   * Opens every client as fast as the server takes them: a connect storm. At most {@code
   * maxPending} handshakes are in flight; each one that completes starts the next, so the server's
   * accept queue is not flooded into the kernel's one-second SYN retries.
   */
  void connectAll(int maxPending) {
    opened.set(0);
    snapshotsComplete.set(0);
    waiting.clear();
    waiting.addAll(clients);
    for (int i = 0; i < maxPending; i++) {
      startNext();
    }
  }

  private void startNext() {
    Client c = waiting.poll();
    if (c != null) {
      c.loop.submit(c::connect);
    }
  }

  /** Closes every connection (without a close handshake, like a network drop). */
  void disconnectAll() {
    for (Client c : clients) {
      c.loop.submit(c::disconnect);
    }
  }

  /** Clients whose latest stamp differs from {@code expected}, dropped ones included. */
  int stale(long expected) {
    return (int) clients.stream().filter(c -> c.lastStamp != expected).count();
  }

  /**
   * Records, for every connected client with a full snapshot, the age of the newest stamp it holds:
   * how old the numbers on its screen are at {@code nowMicros}. A stamp older than {@code
   * sinceMicros}, the first write measured, counts as written then: the clock starts with the
   * measurement.
   */
  void sampleAges(long nowMicros, long sinceMicros) {
    for (Group g : groups) {
      synchronized (g) {
        for (Client c : g.clients) {
          long stamp = c.lastStamp;
          if (c.live && stamp > 0) {
            long age = Math.max(0, nowMicros - Math.max(stamp, sinceMicros));
            g.ages.recordValue(age);
            g.agesThisSecond.recordValue(age);
          }
        }
      }
    }
  }

  @Override
  public void close() {
    disconnectAll();
    loops.forEach(Loop::shutdown);
  }

  static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
  }

  /** Where a client connects and the request it opens with. */
  static final class Target {
    final InetSocketAddress address;
    final byte[] request;
    final String name;

    private Target(InetSocketAddress address, byte[] request) {
      this.address = address;
      this.request = request;
      this.name = address.getHostString() + ":" + address.getPort();
    }

    static Target websocket(URI url) {
      InetSocketAddress address =
          new InetSocketAddress(url.getHost(), url.getPort() < 0 ? 80 : url.getPort());
      String path = url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      return new Target(
          address,
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: "
                  + url.getHost()
                  + ":"
                  + address.getPort()
                  + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                  + new String(KEY, StandardCharsets.US_ASCII)
                  + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
    }

    static Target eventStream(URI url) {
      InetSocketAddress address =
          new InetSocketAddress(url.getHost(), url.getPort() < 0 ? 80 : url.getPort());
      return new Target(
          address,
          ("GET "
                  + url.getRawPath()
                  + " HTTP/1.1\r\nHost: "
                  + url.getHost()
                  + ":"
                  + address.getPort()
                  + "\r\nAccept: text/event-stream\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** One population's clients of one server, and what they measured. */
  static final class Group {
    final LoadPopulation population;
    final List<Client> clients = new ArrayList<>();

    /** Messages and bytes received while recording. */
    final LongAdder messages = new LongAdder();

    final LongAdder bytes = new LongAdder();

    /** Freshness in microseconds of each stamped message received while recording. */
    final Recorder freshness = new Recorder(3);

    /** Sampled ages in microseconds (guarded by this group). */
    final Histogram ages = new Histogram(3);

    final Histogram agesThisSecond = new Histogram(3);

    /** Why clients lost their connection, and how many. */
    final Map<String, LongAdder> dropReasons = new ConcurrentHashMap<>();

    /** The server its clients connect to. */
    final Target target;

    /** The population's label, with the server's address when there are several. */
    final String label;

    Group(LoadPopulation population, Target target, String label) {
      this.population = population;
      this.target = target;
      this.label = label;
    }

    void dropped(String reason) {
      dropReasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    int droppedCount() {
      return (int) dropReasons.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> dropReasonCounts() {
      Map<String, Long> m = new TreeMap<>();
      dropReasons.forEach((k, v) -> m.put(k, v.sum()));
      return m;
    }

    int stale(long expected) {
      return (int) clients.stream().filter(c -> c.lastStamp != expected).count();
    }

    /** The p99 of the ages sampled since the last call, in ms; resets them. */
    synchronized double takeSecondAgeP99Millis() {
      double p99 =
          agesThisSecond.getTotalCount() == 0
              ? 0
              : agesThisSecond.getValueAtPercentile(99) / 1000.0;
      agesThisSecond.reset();
      return p99;
    }
  }

  /** A task due at a time on a loop's thread. */
  private record Timer(long dueNanos, Runnable task) implements Comparable<Timer> {
    @Override
    public int compareTo(Timer o) {
      return Long.compare(dueNanos, o.dueNanos);
    }
  }

  /** One selector thread and the clients it owns. */
  private static final class Loop extends Thread {
    final Selector selector;
    final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    final PriorityQueue<Timer> timers = new PriorityQueue<>();
    final ByteBuffer read = ByteBuffer.allocateDirect(1 << 18);
    volatile boolean running = true;

    Loop(String name) throws IOException {
      super(name);
      setDaemon(true);
      selector = Selector.open();
    }

    void submit(Runnable task) {
      tasks.add(task);
      selector.wakeup();
    }

    /** Loop thread only. */
    void at(long dueNanos, Runnable task) {
      timers.add(new Timer(dueNanos, task));
    }

    void shutdown() {
      running = false;
      selector.wakeup();
      try {
        join(2000);
        selector.close();
      } catch (InterruptedException | IOException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void run() {
      while (running) {
        try {
          long wait = 100;
          Timer next = timers.peek();
          if (next != null) {
            wait =
                Math.max(
                    1,
                    Math.min(
                        wait, TimeUnit.NANOSECONDS.toMillis(next.dueNanos - System.nanoTime())));
          }
          selector.select(wait);
          Runnable task;
          while ((task = tasks.poll()) != null) {
            task.run();
          }
          long now = System.nanoTime();
          while ((next = timers.peek()) != null && next.dueNanos - now <= 0) {
            timers.poll().task.run();
          }
          Iterator<SelectionKey> it = selector.selectedKeys().iterator();
          while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            Client c = (Client) key.attachment();
            try {
              if (key.isValid() && key.isConnectable()) {
                c.finishConnect();
              } else if (key.isValid() && key.isReadable()) {
                c.readable(read);
              }
            } catch (CancelledKeyException e) {
              c.lost("reset: " + e);
            } catch (IOException e) {
              c.lost("reset: " + e.getMessage());
            }
          }
        } catch (IOException e) {
          // The selector failed: nothing sensible left to do for this thread's clients.
          running = false;
        }
      }
    }
  }

  /**
   * One connection; touched only by its loop's thread except {@link #lastStamp} and {@link #live}.
   */
  private final class Client {
    final Loop loop;
    final Group group;
    final LoadPopulation population;
    SocketChannel channel;
    SelectionKey key;
    int generation;
    boolean handshaken;
    boolean closing;
    boolean gotAvailable;
    int expectedStats;
    int seenStats;
    Set<String> seenEvents;
    ByteBuffer partial;
    ByteArrayOutputStream fragments;
    ByteArrayOutputStream sseText;
    boolean paused;
    double tokens;
    long refilledNanos;

    /** The newest stamp received, in epoch microseconds. */
    volatile long lastStamp;

    /** Connected with a full snapshot: its screen is showing numbers. */
    volatile boolean live;

    Client(Loop loop, Group group) {
      this.loop = loop;
      this.group = group;
      this.population = group.population;
    }

    void connect() {
      disconnect();
      generation++;
      closing = false;
      handshaken = false;
      gotAvailable = false;
      seenStats = 0;
      seenEvents = new HashSet<>();
      partial = null;
      fragments = null;
      sseText = null;
      paused = false;
      try {
        channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (population.kind() == LoadPopulation.Kind.THROTTLE) {
          // Before connecting, so that the window the client announces is small from the start.
          channel.setOption(StandardSocketOptions.SO_RCVBUF, population.receiveBuffer());
          tokens = burst();
          refilledNanos = System.nanoTime();
        }
        if (channel.connect(group.target.address)) {
          afterConnect();
        } else {
          key = channel.register(loop.selector, SelectionKey.OP_CONNECT, this);
        }
      } catch (IOException e) {
        failed.incrementAndGet();
        channel = null;
        startNext();
      }
    }

    void finishConnect() throws IOException {
      if (channel.finishConnect()) {
        afterConnect();
      }
    }

    private void afterConnect() throws IOException {
      write(ByteBuffer.wrap(group.target.request));
      key = channel.register(loop.selector, SelectionKey.OP_READ, this);
    }

    void disconnect() {
      live = false;
      if (channel != null) {
        closing = true;
        try {
          channel.close();
        } catch (IOException ignored) {
          // Closing anyway.
        }
        channel = null;
        key = null;
      }
    }

    void lost(String reason) {
      if (!closing && channel != null) {
        if (handshaken) {
          dropped.incrementAndGet();
          group.dropped(reason);
        } else {
          failed.incrementAndGet();
          startNext();
        }
      }
      disconnect();
    }

    private void write(ByteBuffer b) throws IOException {
      // Handshakes and pongs are tiny; a full send buffer here means the server is gone.
      while (b.hasRemaining()) {
        if (channel.write(b) == 0) {
          throw new IOException("send buffer full");
        }
      }
    }

    // ---- how this client reads ----

    private double burst() {
      // 50 ms of its rate, at least a kilobyte: reads come in small pieces, as on a slow link.
      return Math.max(1024, population.bytesPerSecond() / 20.0);
    }

    private void pause(long resumeAtNanos) {
      if (key == null || !key.isValid()) {
        return;
      }
      paused = true;
      key.interestOps(0);
      int gen = generation;
      loop.at(
          resumeAtNanos,
          () -> {
            if (gen == generation && key != null && key.isValid()) {
              paused = false;
              key.interestOps(SelectionKey.OP_READ);
            }
          });
    }

    /** A stalling client's first stall, at a random phase of its period. */
    private void scheduleStalls() {
      long every = population.every().toNanos();
      long first = System.nanoTime() + ThreadLocalRandom.current().nextLong(every);
      int gen = generation;
      loop.at(first, () -> stall(gen));
    }

    private void stall(int gen) {
      if (gen != generation || channel == null) {
        return;
      }
      long now = System.nanoTime();
      pause(now + population.stall().toNanos());
      loop.at(now + population.every().toNanos(), () -> stall(gen));
    }

    void readable(ByteBuffer buf) throws IOException {
      buf.clear();
      if (population.kind() == LoadPopulation.Kind.THROTTLE) {
        long now = System.nanoTime();
        tokens =
            Math.min(burst(), tokens + (now - refilledNanos) * population.bytesPerSecond() / 1e9);
        refilledNanos = now;
        if (tokens < 1) {
          pause(
              now
                  + (long)
                      ((Math.min(burst(), 1024) - tokens) * 1e9 / population.bytesPerSecond()));
          return;
        }
        buf.limit((int) Math.min(buf.capacity(), tokens));
      }
      int n = channel.read(buf);
      if (n < 0) {
        lost(
            handshaken
                ? "server closed the connection without a close frame"
                : "closed during the handshake");
        return;
      }
      if (population.kind() == LoadPopulation.Kind.THROTTLE) {
        tokens -= n;
      }
      buf.flip();
      received(buf);
    }

    private void received(ByteBuffer buf) throws IOException {
      ByteBuffer data = buf;
      if (partial != null) {
        ByteBuffer joined = ByteBuffer.allocate(partial.remaining() + buf.remaining());
        joined.put(partial).put(buf).flip();
        data = joined;
        partial = null;
      }
      if (!handshaken) {
        int end = headerEnd(data);
        if (end < 0) {
          keep(data);
          return;
        }
        byte[] head = new byte[12];
        data.get(data.position(), head);
        if (!new String(head, StandardCharsets.US_ASCII)
            .startsWith(population.sse() ? "HTTP/1.1 200" : "HTTP/1.1 101")) {
          failed.incrementAndGet();
          disconnect();
          startNext();
          return;
        }
        data.position(end);
        handshaken = true;
        opened.incrementAndGet();
        if (population.protocol2()) {
          write(text("{\"event\":\"hello\",\"payload\":{\"protocol\":2}}"));
          write(text("{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"*\"]}}"));
        }
        startNext();
        if (population.kind() == LoadPopulation.Kind.STALL) {
          scheduleStalls();
        }
      }
      if (population.sse()) {
        chunks(data);
      } else {
        frames(data);
      }
    }

    /**
     * An event stream's body, chunked: each chunk's bytes go to {@link #events}. An incomplete
     * chunk waits for more.
     */
    private void chunks(ByteBuffer b) throws IOException {
      while (channel != null) {
        int start = b.position();
        int lineEnd = -1;
        for (int i = start; i + 1 < b.limit(); i++) {
          if (b.get(i) == '\r' && b.get(i + 1) == '\n') {
            lineEnd = i;
            break;
          }
        }
        if (lineEnd < 0) {
          break;
        }
        int size = 0;
        for (int i = start; i < lineEnd; i++) {
          size = size * 16 + Character.digit(b.get(i), 16);
        }
        if (size == 0) {
          lost("server ended the event stream");
          return;
        }
        int data = lineEnd + 2;
        if (b.limit() < data + size + 2) {
          break;
        }
        if (sseText == null) {
          sseText = new ByteArrayOutputStream();
        }
        for (int i = data; i < data + size; i++) {
          sseText.write(b.get(i));
        }
        b.position(data + size + 2);
      }
      if (channel != null && b.hasRemaining()) {
        keep(b);
      }
      if (sseText != null && sseText.size() > 0) {
        events();
      }
    }

    /** Every whole event of the stream so far ({@code event:} and {@code data:} lines). */
    private void events() throws IOException {
      ByteBuffer text = ByteBuffer.wrap(sseText.toByteArray());
      int blockStart = 0;
      for (int i = 0; i + 1 < text.limit(); i++) {
        if (text.get(i) == '\n' && text.get(i + 1) == '\n') {
          sseBlock(text, blockStart, i + 1);
          blockStart = i + 2;
          i++;
          if (channel == null) {
            return;
          }
        }
      }
      sseText = new ByteArrayOutputStream();
      sseText.write(text.array(), blockStart, text.limit() - blockStart);
    }

    private void sseBlock(ByteBuffer text, int from, int to) throws IOException {
      String event = null;
      int data = -1;
      int dataEnd = -1;
      int line = from;
      for (int i = from; i < to; i++) {
        if (text.get(i) != '\n') {
          continue;
        }
        if (startsWith(text, line, i, "event: ")) {
          byte[] name = new byte[i - line - 7];
          text.get(line + 7, name);
          event = new String(name, StandardCharsets.UTF_8);
        } else if (startsWith(text, line, i, "data: ")) {
          data = line + 6;
          dataEnd = i;
        }
        line = i + 1;
      }
      if (event != null && data >= 0) {
        message(event, text, data, dataEnd - data);
      }
    }

    private boolean startsWith(ByteBuffer b, int from, int to, String prefix) {
      if (to - from < prefix.length()) {
        return false;
      }
      for (int k = 0; k < prefix.length(); k++) {
        if (b.get(from + k) != prefix.charAt(k)) {
          return false;
        }
      }
      return true;
    }

    private void keep(ByteBuffer data) {
      partial = ByteBuffer.allocate(data.remaining());
      partial.put(data).flip();
    }

    private int headerEnd(ByteBuffer b) {
      for (int i = b.position(); i + 3 < b.limit(); i++) {
        if (b.get(i) == '\r'
            && b.get(i + 1) == '\n'
            && b.get(i + 2) == '\r'
            && b.get(i + 3) == '\n') {
          return i + 4;
        }
      }
      return -1;
    }

    private void frames(ByteBuffer b) throws IOException {
      while (channel != null) {
        int start = b.position();
        if (b.remaining() < 2) {
          break;
        }
        int b0 = b.get(start) & 0xFF;
        int b1 = b.get(start + 1) & 0x7F;
        int header = 2;
        long length = b1;
        if (b1 == 126) {
          if (b.remaining() < 4) {
            break;
          }
          length = b.getShort(start + 2) & 0xFFFF;
          header = 4;
        } else if (b1 == 127) {
          if (b.remaining() < 10) {
            break;
          }
          length = b.getLong(start + 2);
          header = 10;
        }
        if (b.remaining() < header + length) {
          break;
        }
        int payload = start + header;
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        b.position(payload + (int) length);
        if (opcode == 9) {
          pong(b, payload, (int) length);
        } else if (opcode == 8) {
          int code = length >= 2 ? b.getShort(payload) & 0xFFFF : 1005;
          lost("server closed with code " + code);
          return;
        } else if (opcode == 1 || opcode == 0) {
          if (fin && fragments == null) {
            message(b, payload, (int) length);
          } else {
            // A fragmented message: gather it, then handle it whole.
            if (fragments == null) {
              fragments = new ByteArrayOutputStream();
            }
            for (int i = 0; i < length; i++) {
              fragments.write(b.get(payload + i));
            }
            if (fin) {
              ByteBuffer whole = ByteBuffer.wrap(fragments.toByteArray());
              fragments = null;
              message(whole, 0, whole.limit());
            }
          }
        }
      }
      if (channel != null && b.hasRemaining()) {
        keep(b);
      }
    }

    /** A short text frame from a client: masked, with a mask of zeros so the payload is as is. */
    private static ByteBuffer text(String json) {
      byte[] payload = json.getBytes(StandardCharsets.UTF_8);
      ByteBuffer out = ByteBuffer.allocate(6 + payload.length);
      out.put((byte) 0x81).put((byte) (0x80 | payload.length)).putInt(0).put(payload);
      out.flip();
      return out;
    }

    private void pong(ByteBuffer b, int payload, int length) throws IOException {
      ByteBuffer out = ByteBuffer.allocate(6 + length);
      out.put((byte) 0x8A).put((byte) (0x80 | length)).putInt(0); // mask of zeros: payload as is
      for (int i = 0; i < length; i++) {
        out.put(b.get(payload + i));
      }
      out.flip();
      write(out);
    }

    private void message(ByteBuffer b, int payload, int length) throws IOException {
      message(null, b, payload, length);
    }

    /**
     * One message: a websocket one ({@code sseEvent} null), {@code {"event": …, "payload": …}}, or
     * an event stream's, whose bytes are the payload alone.
     */
    private void message(String sseEvent, ByteBuffer b, int payload, int length)
        throws IOException {
      messages.incrementAndGet();
      bytes.addAndGet(length);
      if (recording) {
        group.messages.increment();
        group.bytes.add(length);
      }
      if (sseEvent == null
          && population.protocol2()
          && WireFormat.BATCH.equals(event(b, payload, length))) {
        // Protocol 2: one round's messages in one frame; each counts as it would alone.
        byte[] json = new byte[length];
        b.get(payload, json);
        for (JsonNode part : JSON.readTree(json).path("payload")) {
          byte[] one = JSON.writeValueAsBytes(part);
          readMessage(null, ByteBuffer.wrap(one), 0, one.length);
        }
        return;
      }
      readMessage(sseEvent, b, payload, length);
    }

    /** What one message says: its event, its stamp, and for {@code available} the stats. */
    private void readMessage(String sseEvent, ByteBuffer b, int payload, int length)
        throws IOException {
      long now = nowMicros();
      String event;
      long stamp;
      int statKeys;
      if (population.kind() == LoadPopulation.Kind.PARSE) {
        // What a dashboard does with every message: parse it whole.
        byte[] json = new byte[length];
        b.get(payload, json);
        JsonNode tree = JSON.readTree(json);
        event = sseEvent != null ? sseEvent : tree.path("event").asText(null);
        JsonNode body = sseEvent != null ? tree : tree.path("payload");
        JsonNode stampNode = body.path("data").path(LoadWriter.STAMP_STAT);
        stamp = stampNode.isNumber() ? stampNode.asLong() : -1;
        statKeys = WireFormat.AVAILABLE.equals(event) ? countKeys(body) : 0;
        render();
      } else {
        event = sseEvent != null ? sseEvent : event(b, payload, length);
        stamp = stampEvent.equals(event) ? stamp(b, payload, length) : -1;
        statKeys =
            !gotAvailable && WireFormat.AVAILABLE.equals(event) ? countKeys(b, payload, length) : 0;
      }
      if (!gotAvailable) {
        if (WireFormat.AVAILABLE.equals(event)) {
          gotAvailable = true;
          expectedStats = statKeys;
        }
        return;
      }
      if (event != null
          && event.startsWith("stats:")
          && seenStats < expectedStats
          && seenEvents.add(event)) {
        seenStats++;
        if (seenStats == expectedStats) {
          seenEvents = null;
          snapshotsComplete.incrementAndGet();
          live = true;
        }
      }
      if (stamp > 0) {
        boolean newer = stamp != lastStamp;
        lastStamp = stamp;
        if (recording && newer && seenStats >= expectedStats) {
          long freshness = Math.max(0, now - stamp);
          latency.recordValue(freshness);
          group.freshness.recordValue(freshness);
        }
      }
    }

    /** Spends the population's CPU per message, as a page would drawing it. */
    private void render() {
      long work = population.workPerMessage().toNanos();
      if (work > 0) {
        long until = System.nanoTime() + work;
        while (System.nanoTime() - until < 0) {
          Thread.onSpinWait();
        }
      }
    }

    /** The value of the message's {@code "event"} key, found in its first 200 bytes. */
    private String event(ByteBuffer b, int payload, int length) {
      int end = Math.min(payload + length, payload + 200);
      int i = find(b, payload, end, EVENT_FIELD);
      if (i < 0) {
        return null;
      }
      i = skipSpaces(b, i + EVENT_FIELD.length, end);
      if (i >= end || b.get(i) != ':') {
        return null;
      }
      i = skipSpaces(b, i + 1, end);
      if (i >= end || b.get(i) != '"') {
        return null;
      }
      int start = i + 1;
      for (int j = start; j < end; j++) {
        if (b.get(j) == '"') {
          byte[] name = new byte[j - start];
          b.get(start, name);
          return new String(name, StandardCharsets.UTF_8);
        }
      }
      return null;
    }

    /** The number after {@code "loadstamp":}, however spaced; -1 if there is none. */
    private long stamp(ByteBuffer b, int payload, int length) {
      int end = payload + length;
      int from = payload;
      int i;
      while ((i = find(b, from, end, STAMP_FIELD)) >= 0) {
        int k = skipSpaces(b, i + STAMP_FIELD.length, end);
        from = i + STAMP_FIELD.length;
        if (k >= end || b.get(k) != ':') {
          continue; // the stat's name, not the data key
        }
        k = skipSpaces(b, k + 1, end);
        long v = 0;
        int digits = 0;
        for (; k < end && b.get(k) >= '0' && b.get(k) <= '9'; k++, digits++) {
          v = v * 10 + (b.get(k) - '0');
        }
        if (digits > 0) {
          return v;
        }
      }
      return -1;
    }

    private int find(ByteBuffer b, int from, int end, byte[] needle) {
      outer:
      for (int i = from; i + needle.length <= end; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (b.get(i + j) != needle[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }

    private int skipSpaces(ByteBuffer b, int i, int end) {
      while (i < end
          && (b.get(i) == ' ' || b.get(i) == '\n' || b.get(i) == '\r' || b.get(i) == '\t')) {
        i++;
      }
      return i;
    }

    private int countKeys(ByteBuffer b, int payload, int length) throws IOException {
      byte[] json = new byte[length];
      b.get(payload, json);
      int n = 0;
      try (JsonParser p = WireFormat.jsonFactory().createParser(json)) {
        // {"event":"available","payload":{"group":["key",...],...}}: every string inside an array.
        int depth = 0;
        JsonToken t;
        while ((t = p.nextToken()) != null) {
          if (t == JsonToken.START_ARRAY) {
            depth++;
          } else if (t == JsonToken.END_ARRAY) {
            depth--;
          } else if (t == JsonToken.VALUE_STRING && depth > 0) {
            n++;
          }
        }
      }
      return n;
    }

    private int countKeys(JsonNode available) {
      int n = 0;
      for (JsonNode keys : available) {
        n += keys.size();
      }
      return n;
    }
  }
}
