package org.arithmospora.ws;

import java.nio.ByteBuffer;
import org.arithmospora.core.wire.EncodedMessage;

/**
 * One server-to-client text frame (RFC 6455 §5.2: FIN, opcode 1, no mask), framed once in a direct
 * buffer. Every client gets a {@link #forClient() duplicate}: its own position over the same bytes,
 * so a change costs one framing and no per-client copy. Immutable.
 */
final class Frame {
  private static final java.util.concurrent.atomic.AtomicLong FRAMED =
      new java.util.concurrent.atomic.AtomicLong();

  private final ByteBuffer bytes;

  private Frame(ByteBuffer bytes) {
    this.bytes = bytes;
  }

  /** Frames {@code message}. */
  static Frame of(EncodedMessage message) {
    int length = message.size();
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuffer buf = ByteBuffer.allocateDirect(header + length);
    buf.put((byte) 0x81); // FIN + text
    if (length < 126) {
      buf.put((byte) length);
    } else if (length <= 0xFFFF) {
      buf.put((byte) 126);
      buf.putShort((short) length);
    } else {
      buf.put((byte) 127);
      buf.putLong(length);
    }
    buf.put(message.bytes());
    buf.flip();
    FRAMED.incrementAndGet();
    return new Frame(buf.asReadOnlyBuffer());
  }

  /** How many frames this JVM has built: one per message, however many clients. */
  static long framed() {
    return FRAMED.get();
  }

  /** Total bytes on the wire. */
  int size() {
    return bytes.limit();
  }

  /** A view of the frame with its own position, for one client's queue. */
  ByteBuffer forClient() {
    return bytes.duplicate();
  }
}
