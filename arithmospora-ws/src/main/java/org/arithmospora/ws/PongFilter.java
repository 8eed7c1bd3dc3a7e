package org.arithmospora.ws;

import java.util.function.LongConsumer;
import org.arithmospora.hub.Connection;

/**
 * Takes complete pong frames out of a connection's inbound bytes before Java-WebSocket sees them,
 * on the selector thread that read them.
 *
 * <p>Flow control makes every client answer a ping every few kilobytes: thousands of pongs a
 * second. Through the library each one costs a buffer from its pool, a hand-off to a decoder
 * thread, a decoding and, through the selected-key sweep that follows every read, an {@code
 * epoll_ctl}: profiling 10,000 clients put a quarter of the server's CPU there. A pong is at most
 * 131 bytes and means only "I have read up to here", so it is read here instead.
 *
 * <p>To know where frames start it follows the stream from its first byte: the HTTP request up to
 * its blank line, then each frame's header and length. It holds nothing back: a frame that is not a
 * complete, masked pong (a partial one, a text frame, a ping, a close) goes to the library as it
 * came, byte for byte, split as it came. Not thread-safe: one per connection, used by its selector
 * thread.
 */
final class PongFilter {
  private static final int PONG = 0xA;
  private static final int PING_PAYLOAD = Long.BYTES;

  private final LongConsumer onPong;

  /** Bytes of the handshake's end seen so far ("\r\n\r\n"), or 4 once frames have begun. */
  private int handshakeEnd;

  /** Bytes of the current frame still to pass to the library. */
  private long passThrough;

  /** A frame header split between reads: what was seen of it. */
  private final byte[] header = new byte[14];

  private int headerSeen = -1;

  /**
   * @param onPong told the token of each pong taken out ({@link Connection#UNKNOWN_TOKEN} when its
   *     payload is not one of ours)
   */
  PongFilter(LongConsumer onPong) {
    this.onPong = onPong;
  }

  /**
   * Removes the complete pongs from {@code a[start, start + n)}, moving what is left to the front
   * of that range.
   *
   * @return how many bytes are left for the library
   */
  int filter(byte[] a, int start, int n) {
    int read = start;
    int write = start;
    int end = start + n;
    while (read < end) {
      if (handshakeEnd < 4) {
        // The HTTP request: pass it through, watching for the blank line that ends it.
        byte b = a[read];
        a[write++] = a[read++];
        handshakeEnd =
            b == (handshakeEnd % 2 == 0 ? '\r' : '\n') ? handshakeEnd + 1 : b == '\r' ? 1 : 0;
        continue;
      }
      if (passThrough > 0) {
        int k = (int) Math.min(passThrough, end - read);
        System.arraycopy(a, read, a, write, k);
        read += k;
        write += k;
        passThrough -= k;
        continue;
      }
      if (headerSeen >= 0) {
        // A header split between reads: pass its bytes through until its length is known.
        header[headerSeen++] = a[read];
        a[write++] = a[read++];
        int length = headerLength(header, headerSeen);
        if (length > 0 && headerSeen == length) {
          passThrough = payloadLength(header);
          headerSeen = -1;
        }
        continue;
      }
      // At a frame boundary.
      int pong = completePong(a, read, end);
      if (pong > 0) {
        onPong.accept(token(a, read));
        read += pong;
        continue;
      }
      headerSeen = 0;
    }
    return write - start;
  }

  /** The length of the complete, masked pong at {@code i}, or 0 if there is none. */
  private static int completePong(byte[] a, int i, int end) {
    if (end - i < 2) {
      return 0;
    }
    int b0 = a[i] & 0xFF;
    int b1 = a[i + 1] & 0xFF;
    int length = b1 & 0x7F;
    // FIN, no extension bits, opcode pong, masked (clients must mask), a control frame's length.
    if (b0 != (0x80 | PONG) || (b1 & 0x80) == 0 || length > 125) {
      return 0;
    }
    int total = 2 + 4 + length;
    return end - i >= total ? total : 0;
  }

  /** The token in the pong at {@code i}: its unmasked 8-byte payload. */
  private static long token(byte[] a, int i) {
    int length = a[i + 1] & 0x7F;
    if (length != PING_PAYLOAD) {
      return Connection.UNKNOWN_TOKEN;
    }
    long token = 0;
    for (int k = 0; k < PING_PAYLOAD; k++) {
      token = (token << 8) | ((a[i + 6 + k] ^ a[i + 2 + (k & 3)]) & 0xFF);
    }
    return token <= 0 ? Connection.UNKNOWN_TOKEN : token; // ours start at 1
  }

  /** How long the header is, from what was seen of it; 0 while that is not yet known. */
  private static int headerLength(byte[] h, int seen) {
    if (seen < 2) {
      return 0;
    }
    int length = h[1] & 0x7F;
    int extended = length == 126 ? 2 : length == 127 ? 8 : 0;
    return 2 + extended + ((h[1] & 0x80) != 0 ? 4 : 0);
  }

  /** The payload length in a complete header. */
  private static long payloadLength(byte[] h) {
    int length = h[1] & 0x7F;
    if (length == 126) {
      return ((h[2] & 0xFFL) << 8) | (h[3] & 0xFFL);
    }
    if (length == 127) {
      long v = 0;
      for (int k = 0; k < 8; k++) {
        v = (v << 8) | (h[2 + k] & 0xFF);
      }
      // Beyond any limit: the library refuses the frame and closes; pass everything on meanwhile.
      return v < 0 ? Long.MAX_VALUE : v;
    }
    return length;
  }
}
