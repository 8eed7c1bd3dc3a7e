package org.arithmospora.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.arithmospora.core.Source;
import org.arithmospora.core.Stat;
import org.arithmospora.core.wire.EncodedMessage;

/**
 * A source's current state as one JSON document, {@code {"available": …, "stats": {"<group>:<key>":
 * <payload>}}}, built from the messages the source already encoded: encoded again only when a stat
 * changed, however many requests come. Its version is the newest message's sequence, which every
 * change raises. Thread-safe.
 */
final class SourceSnapshot {
  /** One encoded document and its version. The bytes are never changed once built. */
  @SuppressWarnings("ArrayRecordComponent")
  record Document(long version, byte[] json) {}

  private final Source source;
  private volatile Document current = new Document(Long.MIN_VALUE, new byte[0]);

  SourceSnapshot(Source source) {
    this.source = source;
  }

  /** The document as the source is now. */
  Document current() {
    long version = version();
    Document d = current;
    if (d.version() == version) {
      return d;
    }
    Document built = new Document(version, encode());
    current = built;
    return built;
  }

  private long version() {
    long newest = source.availableMessage().sequence();
    for (Stat s : source.stats()) {
      Optional<EncodedMessage> m = s.message();
      if (m.isPresent()) {
        newest = Math.max(newest, m.get().sequence());
      }
    }
    return newest;
  }

  private byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    write(out, "{\"available\":");
    write(out, source.availableMessage().payload());
    write(out, ",\"stats\":{");
    boolean first = true;
    for (Stat s : source.stats()) {
      Optional<EncodedMessage> m = s.message();
      if (m.isEmpty()) {
        continue;
      }
      write(out, first ? "\"" : ",\"");
      first = false;
      // Groups and keys are plain configuration names; quote and backslash are escaped anyway.
      write(out, escape(s.definition().group() + ":" + s.definition().key()));
      write(out, "\":");
      write(out, m.get().payload());
    }
    write(out, "}}");
    return out.toByteArray();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static void write(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void write(ByteArrayOutputStream out, ByteBuffer b) {
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    out.writeBytes(bytes);
  }
}
