package org.arithmospora.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.arithmospora.core.WireFormat;

/**
 * Many websocket clients in one process on non-blocking sockets: a few selector threads, no
 * thread per client, a small object and no buffer per idle client. Each client checks that it got
 * {@code available} and then one message per stat it lists (the snapshot), counts what it
 * receives, and records the latency of messages that carry a write timestamp.
 */
final class LoadClients implements AutoCloseable {
  private static final byte[] KEY = "dGhlIHNhbXBsZSBub25jZQ==".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STAMP_FIELD = ("\"" + LoadWriter.STAMP_STAT + "\":").getBytes(StandardCharsets.US_ASCII);

  private final InetSocketAddress address;
  private final byte[] handshake;
  private final String stampEvent;
  private final List<Loop> loops = new ArrayList<>();
  private final List<Client> clients = new ArrayList<>();
  private final ConcurrentLinkedQueue<Client> waiting = new ConcurrentLinkedQueue<>();

  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger snapshotsComplete = new AtomicInteger();
  final AtomicInteger dropped = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  final AtomicLong messages = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();
  /** Latencies in microseconds of stamped messages, while recording is on. */
  final Recorder latency = new Recorder(3);
  volatile boolean recording;

  LoadClients(URI url, int count, int threads) throws IOException {
    this.address = new InetSocketAddress(url.getHost(), url.getPort() < 0 ? 80 : url.getPort());
    String path = url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    this.handshake = ("GET " + path + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + address.getPort()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + new String(KEY, StandardCharsets.US_ASCII)
        + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    this.stampEvent = "stats:other:" + LoadWriter.STAMP_STAT;
    for (int i = 0; i < threads; i++) {
      Loop loop = new Loop(i);
      loops.add(loop);
    }
    for (int i = 0; i < count; i++) {
      clients.add(new Client(loops.get(i % threads)));
    }
    loops.forEach(Loop::start);
  }

  int size() {
    return clients.size();
  }

  /**
   * Opens every client as fast as the server takes them: a connect storm. At most
   * {@code maxPending} handshakes are in flight; each one that completes starts the next, so the
   * server's accept queue is not flooded into the kernel's one-second SYN retries.
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

  /** Clients whose latest stamp differs from {@code expected}. */
  int stale(long expected) {
    int n = 0;
    for (Client c : clients) {
      if (c.lastStamp != expected) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    disconnectAll();
    loops.forEach(Loop::shutdown);
  }

  private static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
  }

  /** One selector thread and the clients it owns. */
  private final class Loop extends Thread {
    final Selector selector;
    final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    final ByteBuffer read = ByteBuffer.allocateDirect(1 << 18);
    volatile boolean running = true;

    Loop(int index) throws IOException {
      super("loadtest-" + index);
      setDaemon(true);
      selector = Selector.open();
    }

    void submit(Runnable task) {
      tasks.add(task);
      selector.wakeup();
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
          selector.select(100);
          Runnable task;
          while ((task = tasks.poll()) != null) {
            task.run();
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
                c.read(read);
              }
            } catch (IOException e) {
              c.lost();
            }
          }
        } catch (IOException e) {
          // The selector failed: nothing sensible left to do for this thread's clients.
          running = false;
        }
      }
    }
  }

  /** One connection; touched only by its loop's thread except {@link #lastStamp}. */
  private final class Client {
    final Loop loop;
    SocketChannel channel;
    boolean handshaken;
    boolean closing;
    boolean gotAvailable;
    int expectedStats;
    int seenStats;
    java.util.Set<String> seenEvents;
    ByteBuffer partial;
    volatile long lastStamp;

    Client(Loop loop) {
      this.loop = loop;
    }

    void connect() {
      disconnect();
      closing = false;
      handshaken = false;
      gotAvailable = false;
      seenStats = 0;
      seenEvents = new java.util.HashSet<>();
      partial = null;
      try {
        channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (channel.connect(address)) {
          afterConnect();
        } else {
          channel.register(loop.selector, SelectionKey.OP_CONNECT, this);
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
      write(ByteBuffer.wrap(handshake));
      channel.register(loop.selector, SelectionKey.OP_READ, this);
    }

    void disconnect() {
      if (channel != null) {
        closing = true;
        try {
          channel.close();
        } catch (IOException ignored) {
          // Closing anyway.
        }
        channel = null;
      }
    }

    void lost() {
      if (!closing && channel != null) {
        if (handshaken) {
          dropped.incrementAndGet();
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

    void read(ByteBuffer buf) throws IOException {
      buf.clear();
      int n = channel.read(buf);
      if (n < 0) {
        lost();
        return;
      }
      buf.flip();
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
        if (!new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101")) {
          failed.incrementAndGet();
          disconnect();
          startNext();
          return;
        }
        data.position(end);
        handshaken = true;
        opened.incrementAndGet();
        startNext();
      }
      frames(data);
    }

    private void keep(ByteBuffer data) {
      partial = ByteBuffer.allocate(data.remaining());
      partial.put(data).flip();
    }

    private int headerEnd(ByteBuffer b) {
      for (int i = b.position(); i + 3 < b.limit(); i++) {
        if (b.get(i) == '\r' && b.get(i + 1) == '\n' && b.get(i + 2) == '\r' && b.get(i + 3) == '\n') {
          return i + 4;
        }
      }
      return -1;
    }

    private void frames(ByteBuffer b) throws IOException {
      while (true) {
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
        int opcode = b0 & 0x0F;
        if (opcode == 1) {
          message(b, payload, (int) length);
        } else if (opcode == 9) {
          pong(b, payload, (int) length);
        } else if (opcode == 8) {
          if (!closing) {
            dropped.incrementAndGet();
          }
          disconnect();
          return;
        }
        b.position(payload + (int) length);
      }
      if (b.hasRemaining()) {
        keep(b);
      }
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
      long now = nowMicros();
      messages.incrementAndGet();
      bytes.addAndGet(length);
      String event = event(b, payload, length);
      if (!gotAvailable) {
        if (WireFormat.AVAILABLE.equals(event)) {
          gotAvailable = true;
          expectedStats = countKeys(b, payload, length);
        }
        return;
      }
      if (event != null && event.startsWith("stats:") && seenStats < expectedStats && seenEvents.add(event)) {
        seenStats++;
        if (seenStats == expectedStats) {
          seenEvents = null;
          snapshotsComplete.incrementAndGet();
        }
      }
      if (stampEvent.equals(event)) {
        long stamp = stamp(b, payload, length);
        if (stamp > 0) {
          boolean newer = stamp != lastStamp;
          lastStamp = stamp;
          if (recording && newer && seenStats >= expectedStats) {
            latency.recordValue(Math.max(0, now - stamp));
          }
        }
      }
    }

    private String event(ByteBuffer b, int payload, int length) {
      // {"event":"<name>",... — the server always writes the event first.
      int start = payload + 10;
      int end = Math.min(payload + length, start + 200);
      for (int i = start; i < end; i++) {
        if (b.get(i) == '"') {
          byte[] name = new byte[i - start];
          b.get(start, name);
          return new String(name, StandardCharsets.UTF_8);
        }
      }
      return null;
    }

    private long stamp(ByteBuffer b, int payload, int length) {
      int end = payload + length;
      outer:
      for (int i = payload; i + STAMP_FIELD.length < end; i++) {
        for (int j = 0; j < STAMP_FIELD.length; j++) {
          if (b.get(i + j) != STAMP_FIELD[j]) {
            continue outer;
          }
        }
        long v = 0;
        for (int k = i + STAMP_FIELD.length; k < end; k++) {
          byte c = b.get(k);
          if (c < '0' || c > '9') {
            break;
          }
          v = v * 10 + (c - '0');
        }
        return v;
      }
      return -1;
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
  }
}
