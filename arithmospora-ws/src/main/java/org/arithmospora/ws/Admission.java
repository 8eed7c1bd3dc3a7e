package org.arithmospora.ws;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.java_websocket.WebSocketImpl;

/**
 * One connection from its accept until its handshake ends: when it came, how much of its request
 * has been read, and the answer it gets when it is refused.
 *
 * <p>Java-WebSocket answers every refused handshake with {@code 404}, buffers a request header
 * without limit and counts a connection only once it is open. This object is what lets the server
 * do better: the draft and the endpoint decide the answer ({@link #refuse}), the connection's
 * channel reads the request through {@link #scan} and, when the library writes its 404, writes
 * {@link #response()} in its place.
 */
final class Admission {
  /** An HTTP answer to a handshake the server will not upgrade. */
  record Refusal(int status, String reason, String detail, String extraHeader) {
    ByteBuffer bytes() {
      byte[] body = (detail + "\n").getBytes(StandardCharsets.UTF_8);
      String head =
          "HTTP/1.1 "
              + status
              + " "
              + reason
              + "\r\nServer: Arithmospora\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
              + body.length
              + "\r\nConnection: close\r\n"
              + (extraHeader == null ? "" : extraHeader + "\r\n")
              + "\r\n";
      byte[] h = head.getBytes(StandardCharsets.US_ASCII);
      ByteBuffer b = ByteBuffer.allocate(h.length + body.length);
      b.put(h).put(body).flip();
      return b;
    }
  }

  final long acceptedNanos = System.nanoTime();
  private final Admissions admissions;
  private volatile WebSocketImpl connection;
  private volatile SocketChannel socket;
  // At accept: the connection limit was reached, so the request gets a 503 once read.
  private volatile boolean overLimit;
  // At accept: the client's address (where connections per address are capped), whether it holds
  // its cap, and whether handshakes came faster than the server takes them.
  private volatile InetAddress ip;
  private volatile boolean overIpLimit;
  private volatile boolean overRate;
  private volatile Refusal refusal;
  private volatile Admitted admitted;
  // The end of the request header is looked for on the selector thread only.
  private int headerBytes;
  private int endMatched;

  Admission(Admissions admissions) {
    this.admissions = admissions;
  }

  Admissions admissions() {
    return admissions;
  }

  void accepted(WebSocketImpl connection, SocketChannel socket, boolean overLimit) {
    this.connection = connection;
    this.socket = socket;
    this.overLimit = overLimit;
  }

  void doors(InetAddress ip, boolean overIpLimit, boolean overRate) {
    this.ip = ip;
    this.overIpLimit = overIpLimit;
    this.overRate = overRate;
  }

  InetAddress ip() {
    return ip;
  }

  boolean overIpLimit() {
    return overIpLimit;
  }

  boolean overRate() {
    return overRate;
  }

  WebSocketImpl connection() {
    return connection;
  }

  SocketChannel socket() {
    return socket;
  }

  /** Whether the server is draining: new clients are sent to another server. */
  boolean draining() {
    return admissions.draining();
  }

  boolean overLimit() {
    return overLimit;
  }

  /** Decides the answer; the first decision stands. Returns whether this one did. */
  boolean refuse(Refusal r) {
    synchronized (this) {
      if (refusal != null) {
        return false;
      }
      refusal = r;
    }
    admissions.refused(this, r);
    return true;
  }

  Refusal refusal() {
    return refusal;
  }

  /** The answer decided, as bytes to write instead of the library's own. */
  ByteBuffer response() {
    Refusal r = refusal;
    return r == null ? null : r.bytes();
  }

  /** What the endpoint accepted: the source the request asked for, and until when. */
  Admitted admitted() {
    return admitted;
  }

  void admitted(Admitted a) {
    this.admitted = a;
  }

  /**
   * Reads {@code length} more bytes of the request, looking for the blank line that ends its
   * header. Returns 1 once the header has ended (within the limit), 0 while it goes on, and -1 when
   * it has grown past {@code maxBytes} without ending.
   */
  int scan(byte[] bytes, int offset, int length, int maxBytes) {
    for (int i = offset; i < offset + length; i++) {
      headerBytes++;
      byte b = bytes[i];
      // "\r\n\r\n": states 0..3 count the part matched so far.
      if (b == (endMatched % 2 == 0 ? '\r' : '\n')) {
        endMatched++;
        if (endMatched == 4) {
          return 1;
        }
      } else {
        endMatched = b == '\r' ? 1 : 0;
      }
      if (headerBytes > maxBytes) {
        return -1;
      }
    }
    return 0;
  }
}
