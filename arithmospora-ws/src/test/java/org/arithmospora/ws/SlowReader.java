package org.arithmospora.ws;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A websocket client on a plain socket that reads at a capped byte rate through a small receive
 * buffer, as a phone on a crowded network does, and answers every ping with its payload, as every
 * browser does. It reads on a thread of its own until closed.
 */
final class SlowReader implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final long bytesPerSecond;
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final AtomicInteger pongs = new AtomicInteger();
  private final Thread reader;
  private volatile boolean closedByServer;
  private volatile boolean closing;
  private long readBytes;
  private final long started = System.nanoTime();

  private SlowReader(Socket socket, long bytesPerSecond) throws IOException {
    this.socket = socket;
    this.bytesPerSecond = bytesPerSecond;
    this.in = new DataInputStream(new Throttled(socket.getInputStream()));
    this.out = socket.getOutputStream();
    this.reader = new Thread(this::readLoop, "slow-reader");
    this.reader.setDaemon(true);
  }

  /** Connects to {@code path} on loopback and reads at most {@code bytesPerSecond}. */
  static SlowReader open(int port, String path, long bytesPerSecond) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    s.getOutputStream()
        .write(
            ("GET "
                    + path
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    SlowReader r = new SlowReader(s, bytesPerSecond);
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) r.in.readUnsignedByte());
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      s.close();
      throw new IOException("handshake refused: " + head);
    }
    r.reader.start();
    return r;
  }

  /** Paces reads: never more than the rate allows since the start. */
  private final class Throttled extends InputStream {
    private final InputStream raw;

    Throttled(InputStream raw) {
      this.raw = raw;
    }

    private void pace(int wanted) throws IOException {
      long allowedAt = started + readBytes * 1_000_000_000L / bytesPerSecond;
      long wait = allowedAt - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        }
      }
      readBytes += wanted;
    }

    @Override
    public int read() throws IOException {
      pace(1);
      return raw.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      // Small reads, as over a slow link.
      int n = raw.read(b, off, Math.min(len, 512));
      if (n > 0) {
        pace(n);
      }
      return n;
    }
  }

  private void readLoop() {
    try {
      while (true) {
        ServerFrame frame = ServerFrame.read(in);
        byte[] payload = frame.payload();
        int opcode = frame.opcode();
        if (opcode == 1) {
          messages.add(new String(payload, StandardCharsets.UTF_8));
        } else if (opcode == 9) {
          pong(payload);
        } else if (opcode == 8) {
          closedByServer = true;
          return;
        }
      }
    } catch (EOFException e) {
      closedByServer = !closing;
    } catch (IOException e) {
      closedByServer = !closing;
    }
  }

  private synchronized void pong(byte[] payload) throws IOException {
    byte[] frame = new byte[6 + payload.length];
    frame[0] = (byte) 0x8A;
    frame[1] = (byte) (0x80 | payload.length); // masked, with a mask of zeros: the payload as is
    System.arraycopy(payload, 0, frame, 6, payload.length);
    out.write(frame);
    out.flush();
    pongs.incrementAndGet();
  }

  /** Waits until at least {@code n} messages arrived. */
  void awaitMessages(int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (messages.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + messages.size() + " messages of " + n);
      }
      Thread.sleep(10);
    }
  }

  Optional<String> lastMessageContaining(String text) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).contains(text)) {
        return Optional.of(messages.get(i));
      }
    }
    return Optional.empty();
  }

  int messageCount() {
    return messages.size();
  }

  int pongsSent() {
    return pongs.get();
  }

  /** Whether the server closed or dropped the connection. */
  boolean closedByServer() {
    return closedByServer;
  }

  @Override
  public void close() throws IOException {
    closing = true;
    socket.close();
  }
}
