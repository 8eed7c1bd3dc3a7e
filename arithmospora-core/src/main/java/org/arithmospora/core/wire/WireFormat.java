package org.arithmospora.core.wire;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
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
    return encode(
        MILESTONE,
        out -> {
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
        });
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
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    int payloadOffset;
    try (JsonGenerator out = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
      out.writeStartObject();
      out.writeStringField("event", event);
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
