package org.arithmospora.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.arithmospora.core.DataPoint;
import org.arithmospora.core.Stat;
import org.arithmospora.core.type.EmptyData;
import org.arithmospora.core.type.GenericData;
import org.arithmospora.core.type.ProportionData;
import org.arithmospora.core.type.RollingData;
import org.arithmospora.core.type.SingleValueData;
import org.arithmospora.core.type.StatData;
import org.arithmospora.core.type.TimedSeriesData;
import org.arithmospora.core.wire.WireFormat;

/** Human-readable and JSON renderings of stats for {@code list} and {@code watch}. */
final class StatText {
  private StatText() {}

  /** {@code name: data}, then each data point indented below its parent. */
  static String render(DataPoint tree) {
    StringBuilder out = new StringBuilder();
    render(tree, 0, out);
    return out.toString();
  }

  private static void render(DataPoint node, int depth, StringBuilder out) {
    out.append("  ".repeat(depth))
        .append(node.name())
        .append(": ")
        .append(text(node.data()))
        .append('\n');
    for (DataPoint dp : node.dataPoints().values()) {
      render(dp, depth + 1, out);
    }
  }

  /**
   * One line for a node's data: the built-in types in the Go program's {@code list} style, and any
   * other type as its compact JSON, which every type can write.
   */
  static String text(StatData data) {
    if (data instanceof ProportionData p) {
      return "current: "
          + p.current()
          + ", total: "
          + p.total()
          + ", proportion: "
          + p.proportion()
          + ", percentage: "
          + p.percentage();
    }
    if (data instanceof RollingData r) {
      return "current: "
          + r.current()
          + ", total: "
          + r.total()
          + ", proportion: "
          + r.proportion()
          + ", percentage: "
          + r.percentage()
          + ", peak: "
          + r.peak()
          + ", peakProportion: "
          + r.peakProportion();
    }
    if (data instanceof SingleValueData v) {
      return Long.toString(v.value());
    }
    if (data instanceof GenericData g) {
      return g.values().toString();
    }
    if (data instanceof TimedSeriesData t) {
      return t.granularitySeconds() + "s buckets " + t.buckets();
    }
    if (data instanceof EmptyData) {
      return "{}";
    }
    StringWriter out = new StringWriter();
    try (JsonGenerator json = WireFormat.jsonFactory().createGenerator(out)) {
      data.writeJson(json, "");
    } catch (IOException e) {
      return data.toString(); // a StringWriter does not fail; a broken type might
    }
    return out.toString();
  }

  /**
   * The JSON of {@code arithmospora list -f json}: {@code {"<group>Stats": {"<statKey>":
   * payload}}}, keyed by stat key so that {@code 5m:total} and {@code 1h:total} both appear.
   */
  static void writeJson(Map<String, List<Stat>> groups, boolean pretty, OutputStream out)
      throws IOException {
    JsonGenerator json = WireFormat.jsonFactory().createGenerator(out);
    json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    if (pretty) {
      json.useDefaultPrettyPrinter();
    }
    json.writeStartObject();
    for (Map.Entry<String, List<Stat>> group : groups.entrySet()) {
      json.writeObjectFieldStart(group.getKey() + "Stats");
      for (Stat stat : group.getValue()) {
        if (stat.current().isPresent()) {
          json.writeFieldName(stat.key());
          WireFormat.writeDataPoint(json, stat.current().get());
        }
      }
      json.writeEndObject();
    }
    json.writeEndObject();
    json.flush();
    out.write('\n');
    out.flush();
  }
}
