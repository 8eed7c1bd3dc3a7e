package org.arithmospora.ws;

import java.nio.ByteBuffer;
import org.arithmospora.core.EncodedMessage;

/**
 * One server-to-client text frame (RFC 6455 §5.2: FIN, opcode 1, no mask), framed once in a
 * direct buffer. Every client gets a {@link #forClient() duplicate}: its own position over the
 * same bytes, so a change costs one framing and no per-client copy. Immutable.
 */
final class Frame {
  private static final java.util.concurrent.atomic.AtomicLong FRAMED = new java.util.concurrent.atomic.AtomicLong();

  private final String key;
  private final long sequence;
  private final ByteBuffer bytes;

  private Frame(String key, long sequence, ByteBuffer bytes) {
    this.key = key;
    this.sequence = sequence;
    this.bytes = bytes;
  }

  /**
   * Frames {@code message}.
   *
   * @param key what a newer frame replaces this one by: the event for stats, something unique
   *     for messages that must never be dropped
   */
  static Frame of(String key, EncodedMessage message) {
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
    return new Frame(key, message.sequence(), buf.asReadOnlyBuffer());
  }

  /** How many frames this JVM has built: one per message, however many clients. */
  static long framed() {
    return FRAMED.get();
  }

  /** What a newer frame of the same key replaces. */
  String key() {
    return key;
  }

  /** The order in which the underlying messages were made. */
  long sequence() {
    return sequence;
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
