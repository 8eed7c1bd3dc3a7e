package org.arithmospora.core.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One server message, {@code {"event": ..., "payload": ...}}, encoded once as UTF-8 JSON so that
 * the same bytes can be handed to any number of clients. Immutable and thread-safe.
 *
 * <p>Every message gets a sequence number, increasing in the order messages are made within this
 * JVM, so that a consumer holding an older and a newer message of the same event can tell them
 * apart.
 */
public final class EncodedMessage {
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final String event;
  private final byte[] json;
  private final long sequence;
  private final int payloadOffset;

  EncodedMessage(String event, byte[] json, int payloadOffset) {
    this.event = Objects.requireNonNull(event);
    this.json = json;
    this.payloadOffset = payloadOffset;
    this.sequence = SEQUENCE.incrementAndGet();
  }

  /** The event name, e.g. {@code stats:proportion:total}. */
  public String event() {
    return event;
  }

  /** The order in which messages were made. */
  public long sequence() {
    return sequence;
  }

  /** The encoded length in bytes. */
  public int size() {
    return json.length;
  }

  /** The encoded bytes, read-only and shared: no copy is made. */
  public ByteBuffer bytes() {
    return ByteBuffer.wrap(json).asReadOnlyBuffer();
  }

  /**
   * The payload alone, as encoded inside the message: read-only and shared, no copy is made. For
   * transports that carry the event name apart, such as server-sent events.
   */
  public ByteBuffer payload() {
    return ByteBuffer.wrap(json, payloadOffset, json.length - 1 - payloadOffset)
        .slice()
        .asReadOnlyBuffer();
  }

  /** Copies the encoded bytes into {@code target} at {@code offset}. */
  public void copyTo(byte[] target, int offset) {
    System.arraycopy(json, 0, target, offset, json.length);
  }

  /** The message as JSON text. */
  public String text() {
    return new String(json, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return event + " (" + json.length + " bytes)";
  }
}
