package org.arithmospora.core.wire;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.arithmospora.core.Achievement;
import org.arithmospora.core.DataPoint;
import org.arithmospora.core.MilestoneDefinition;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.StatDefinition;

/**
 * The JSON messages of the websocket protocol (SPEC §5), each encoded once into an {@link
 * EncodedMessage}. Thread-safe.
 */
public final class WireFormat {
  /** The event of the first message a client gets: the groups and their stat keys. */
  public static final String AVAILABLE = "available";

  /** The event of a milestone met while running. */
  public static final String MILESTONE = "milestone";

  /** Protocol 2: the milestones met so far, sent after {@code available}. */
  public static final String MILESTONES = "milestones";

  /** Protocol 2: the server's answer to a client's {@code hello}. */
  public static final String HELLO = "hello";

  /** Protocol 2: what was wrong with a client's message. */
  public static final String ERROR = "error";

  /** Protocol 2: the messages of one round of reading, in one frame. */
  public static final String BATCH = "batch";

  private static final JsonFactory JSON = JsonFactory.builder().build();

  private WireFormat() {}

  /**
   * The shared Jackson factory, for writing stat payloads elsewhere (e.g. {@code list -f json}).
   */
  public static JsonFactory jsonFactory() {
    return JSON;
  }

  /**
   * {@code available}: every group that has stats, mapped to its stat keys in configuration order,
   * e.g. {@code {"proportion":["total"],"rolling":["5m:total"]}}.
   */
  public static EncodedMessage available(SourceDefinition source) {
    return encode(
        AVAILABLE,
        out -> {
          out.writeStartObject();
          for (Map.Entry<String, List<StatDefinition>> group : source.groups().entrySet()) {
            out.writeArrayFieldStart(group.getKey());
            for (StatDefinition stat : group.getValue()) {
              out.writeString(stat.key());
            }
            out.writeEndArray();
          }
          out.writeEndObject();
        });
  }

  /** {@code stats:<group>:<key>} with the stat's whole tree as payload. */
  public static EncodedMessage stat(StatDefinition stat, DataPoint tree) {
    return encode(stat.eventName(), out -> writeDataPoint(out, tree));
  }

  /** {@code milestone}: the milestone and when it was met. */
  public static EncodedMessage milestone(MilestoneDefinition milestone, Instant achievedWhen) {
    return encode(MILESTONE, out -> writeMilestone(out, milestone, achievedWhen));
  }

  /**
   * Protocol 2, {@code milestones}: every milestone met so far, oldest first, each as in {@link
   * #milestone}.
   */
  public static EncodedMessage milestones(List<Achievement> achieved) {
    return encode(
        MILESTONES,
        out -> {
          out.writeStartArray();
          for (Achievement a : achieved) {
            writeMilestone(out, a.milestone(), a.achievedWhen());
          }
          out.writeEndArray();
        });
  }

  /**
   * Protocol 2, {@code hello}: the protocol the server speaks with the client, and its features.
   */
  public static EncodedMessage hello(int protocol, List<String> features) {
    return encode(
        HELLO,
        out -> {
          out.writeStartObject();
          out.writeNumberField("protocol", protocol);
          out.writeArrayFieldStart("features");
          for (String f : features) {
            out.writeString(f);
          }
          out.writeEndArray();
          out.writeEndObject();
        });
  }

  /**
   * Protocol 2, {@code error}: a code a program can test, a sentence for people, and what it is
   * about (a stat's name, an event), or null.
   */
  public static EncodedMessage error(String code, String message, String subject) {
    return encode(
        ERROR,
        out -> {
          out.writeStartObject();
          out.writeStringField("code", code);
          out.writeStringField("message", message);
          if (subject != null) {
            out.writeStringField("subject", subject);
          }
          out.writeEndObject();
        });
  }

  /**
   * Protocol 2: a stat message as protocol 1 has it, with its {@link #version} and the time its
   * data was read from the store beside the payload: {@code
   * {"event":…,"version":…,"asOf":…,"payload":…}}. The payload's bytes are the same.
   */
  public static EncodedMessage versioned(EncodedMessage stat, Instant asOf) {
    String payload = StandardCharsets.UTF_8.decode(stat.payload()).toString();
    return encode(
        stat.event(),
        out -> {
          out.writeStringField("version", version(stat));
          out.writeStringField("asOf", formatTime(asOf.truncatedTo(ChronoUnit.MILLIS)));
        },
        out -> out.writeRawValue(payload));
  }

  /**
   * A message whose payload is already JSON text, e.g. a part of a stat's tree: {@code
   * {"event":…,"payload":<payloadJson>}}.
   */
  public static EncodedMessage message(String event, String payloadJson) {
    return encode(event, out -> out.writeRawValue(payloadJson));
  }

  /**
   * Protocol 2, {@code batch}: messages made together, whole, in order: {@code
   * {"event":"batch","payload":[<message>,…]}}, each element a message as it would be sent alone.
   */
  public static EncodedMessage batch(List<EncodedMessage> messages) {
    List<String> texts = new java.util.ArrayList<>(messages.size());
    for (EncodedMessage m : messages) {
      texts.add(m.text());
    }
    return encode(
        BATCH,
        out -> {
          out.writeStartArray();
          for (String t : texts) {
            out.writeRawValue(t);
          }
          out.writeEndArray();
        });
  }

  /**
   * Protocol 2: a stat message as a JSON Merge Patch (RFC 7396) against the version {@code base}:
   * {@code {"event":…,"version":…,"base":…,"asOf":…,"payload":<patch>}}. Applied to the payload of
   * version {@code base}, the patch gives the payload of {@code stat}.
   */
  public static EncodedMessage delta(
      EncodedMessage stat, String base, Instant asOf, String patchJson) {
    return encode(
        stat.event(),
        out -> {
          out.writeStringField("version", version(stat));
          out.writeStringField("base", base);
          out.writeStringField("asOf", formatTime(asOf.truncatedTo(ChronoUnit.MILLIS)));
        },
        out -> out.writeRawValue(patchJson));
  }

  /**
   * A stat message's version: the first 64 bits of the SHA-256 of its payload, in hex. Any server
   * that reads the same data from the same store encodes the same payload, so gives the same
   * version: a client can compare versions across servers.
   */
  public static String version(EncodedMessage stat) {
    MessageDigest sha = SHA256.get();
    sha.reset();
    byte[] digest = sha.digest(toArray(stat.payload()));
    return HexFormat.of().formatHex(digest, 0, 8);
  }

  private static byte[] toArray(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.get(a);
    return a;
  }

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("this JVM has no SHA-256", e);
            }
          });

  private static void writeMilestone(
      JsonGenerator out, MilestoneDefinition milestone, Instant achievedWhen) throws IOException {
    out.writeStartObject();
    out.writeStringField("name", milestone.name());
    out.writeArrayFieldStart("dataPointNames");
    for (String dp : milestone.dataPointNames()) {
      out.writeString(dp);
    }
    out.writeEndArray();
    out.writeStringField("field", milestone.field());
    out.writeNumberField("target", milestone.target());
    out.writeStringField("comparator", milestone.comparator());
    out.writeStringField("message", milestone.message());
    out.writeStringField("achievedWhen", formatTime(achievedWhen));
    out.writeEndObject();
  }

  /** RFC 3339 in UTC, e.g. {@code 2017-03-03T12:00:00Z}. */
  public static String formatTime(Instant time) {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time.atOffset(ZoneOffset.UTC));
  }

  /** Writes a stat payload: {@code {"name":…,"data":…,"dataPoints":{…}}}, recursively. */
  public static void writeDataPoint(JsonGenerator out, DataPoint node) throws IOException {
    out.writeStartObject();
    out.writeStringField("name", node.name());
    out.writeFieldName("data");
    node.data().writeJson(out, node.name());
    out.writeObjectFieldStart("dataPoints");
    for (Map.Entry<String, DataPoint> dp : node.dataPoints().entrySet()) {
      out.writeFieldName(dp.getKey());
      writeDataPoint(out, dp.getValue());
    }
    out.writeEndObject();
    out.writeEndObject();
  }

  /** Writes the payload of a message. */
  @FunctionalInterface
  private interface PayloadWriter {
    void write(JsonGenerator out) throws IOException;
  }

  private static EncodedMessage encode(String event, PayloadWriter payload) {
    return encode(event, out -> {}, payload);
  }

  /** {@code {"event":…, <fields>, "payload":…}}. */
  private static EncodedMessage encode(String event, PayloadWriter fields, PayloadWriter payload) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    int payloadOffset;
    try (JsonGenerator out = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
      out.writeStartObject();
      out.writeStringField("event", event);
      fields.write(out);
      out.writeFieldName("payload");
      out.flush();
      payloadOffset = bytes.size() + 1; // the ':' comes with the value
      payload.write(out);
      out.writeEndObject();
    } catch (IOException e) {
      // Writing to memory does not fail; a custom type's writer might.
      throw new UncheckedIOException("encoding " + event + " failed", e);
    }
    return new EncodedMessage(event, bytes.toByteArray(), payloadOffset);
  }
}
