package org.arithmospora.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.arithmospora.core.DataPoint;
import org.arithmospora.core.Stat;
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
        .append(node.data().toText())
        .append('\n');
    for (DataPoint dp : node.dataPoints().values()) {
      render(dp, depth + 1, out);
    }
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
