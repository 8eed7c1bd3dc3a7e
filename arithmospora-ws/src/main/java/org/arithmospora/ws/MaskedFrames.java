package org.arithmospora.ws;

import java.nio.ByteBuffer;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;

/**
 * Follows the frame headers in what one client sends, to refuse a frame that is not masked: RFC
 * 6455 §5.1 requires the server to close such a connection, and Java-WebSocket reads the mask bit
 * but accepts either. Only headers are looked at; payloads are skipped by their length.
 */
final class MaskedFrames {
  // The first two bytes of a header and up to eight of extended payload length.
  private final byte[] header = new byte[10];
  private int headerBytes;
  // Bytes of the current frame (masking key and payload) still to come.
  private long rest;

  /**
   * Looks at {@code incoming} without consuming it.
   *
   * @throws InvalidDataException with 1002 at the first frame without a mask
   */
  void check(ByteBuffer incoming) throws InvalidDataException {
    ByteBuffer b = incoming.duplicate();
    while (b.hasRemaining()) {
      if (rest > 0) {
        int skip = (int) Math.min(rest, b.remaining());
        b.position(b.position() + skip);
        rest -= skip;
        continue;
      }
      header[headerBytes++] = b.get();
      if (headerBytes < 2) {
        continue;
      }
      if ((header[1] & 0x80) == 0) {
        throw new InvalidDataException(
            CloseFrame.PROTOCOL_ERROR, "a client frame without a mask (RFC 6455 section 5.1)");
      }
      int length7 = header[1] & 0x7f;
      int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
      if (headerBytes < 2 + extended) {
        continue;
      }
      long length = length7;
      if (extended > 0) {
        length = 0;
        for (int i = 0; i < extended; i++) {
          length = (length << 8) | (header[2 + i] & 0xff);
        }
      }
      // A length past 2^63 is refused by the library's size limit before it matters here.
      rest = length < 0 ? Long.MAX_VALUE : 4 + length;
      headerBytes = 0;
    }
  }
}
