package org.arithmospora.ws;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
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
  // What the frame would take uncompressed: what counts against a client's window.
  private final int uncompressedSize;

  private Frame(ByteBuffer bytes, int uncompressedSize) {
    this.bytes = bytes;
    this.uncompressedSize = uncompressedSize;
  }

  /** Frames {@code message}. */
  static Frame of(EncodedMessage message) {
    return frame(message.bytes(), false, message.size());
  }

  /**
   * Frames {@code message} compressed as permessage-deflate without context takeover (RFC 7692
   * §7.2.1: a raw deflate stream, sync-flushed, its final empty block's four bytes removed), with
   * RSV1 set; or, when compression does not make it smaller, as {@link #of}, which RFC 7692 allows
   * on a connection that took the extension. Each message is compressed alone, so one frame serves
   * every client.
   */
  static Frame deflated(EncodedMessage message) {
    byte[] raw = new byte[message.size()];
    message.bytes().get(raw);
    Deflater deflater = DEFLATER.get();
    deflater.reset();
    deflater.setInput(raw);
    byte[] out = new byte[raw.length + 64];
    int n = 0;
    while (true) {
      n += deflater.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
      if (n < out.length) {
        break;
      }
      out = Arrays.copyOf(out, out.length * 2);
    }
    // A sync flush ends with an empty stored block, 00 00 FF FF: the receiver puts it back.
    int length = n - 4;
    if (length <= 0 || length >= raw.length) {
      return frame(ByteBuffer.wrap(raw), false, raw.length);
    }
    return frame(ByteBuffer.wrap(out, 0, length), true, raw.length);
  }

  private static final ThreadLocal<Deflater> DEFLATER =
      ThreadLocal.withInitial(() -> new Deflater(Deflater.DEFAULT_COMPRESSION, true));

  /** The size of an uncompressed frame of {@code payloadLength} bytes, header included. */
  static int sizeOf(int payloadLength) {
    return headerSize(payloadLength) + payloadLength;
  }

  private static int headerSize(int length) {
    return length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
  }

  private static Frame frame(ByteBuffer payload, boolean compressed, int uncompressedLength) {
    int length = payload.remaining();
    int header = headerSize(length);
    ByteBuffer buf = ByteBuffer.allocateDirect(header + length);
    buf.put((byte) (compressed ? 0xC1 : 0x81)); // FIN (+ RSV1, compressed) + text
    if (length < 126) {
      buf.put((byte) length);
    } else if (length <= 0xFFFF) {
      buf.put((byte) 126);
      buf.putShort((short) length);
    } else {
      buf.put((byte) 127);
      buf.putLong(length);
    }
    buf.put(payload);
    buf.flip();
    FRAMED.incrementAndGet();
    return new Frame(buf.asReadOnlyBuffer(), sizeOf(uncompressedLength));
  }

  /**
   * Frames side by side, to be written as one piece: a round of messages that every client keeping
   * up gets whole. Each keeps its own header, so the client reads them as the separate messages
   * they are. Not counted in {@link #framed()}: it frames no message.
   */
  static Frame join(List<Frame> frames) {
    int size = 0;
    int uncompressed = 0;
    for (Frame f : frames) {
      size += f.size();
      uncompressed += f.uncompressedSize;
    }
    ByteBuffer buf = ByteBuffer.allocateDirect(size);
    for (Frame f : frames) {
      buf.put(f.forClient());
    }
    buf.flip();
    return new Frame(buf.asReadOnlyBuffer(), uncompressed);
  }

  /** How many frames this JVM has built: one per message, however many clients. */
  static long framed() {
    return FRAMED.get();
  }

  /** Total bytes on the wire. */
  int size() {
    return bytes.limit();
  }

  /** Total bytes it would take uncompressed: its size, for a frame sent as it is. */
  int uncompressedSize() {
    return uncompressedSize;
  }

  /** A view of the frame with its own position, for one client's queue. */
  ByteBuffer forClient() {
    return bytes.duplicate();
  }
}
