package org.arithmospora.core.type;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.OptionalDouble;

/**
 * A count out of a total, e.g. votes out of electorate. {@code proportion = current / total} and
 * {@code percentage = proportion × 100}; both are 0 when the total is 0.
 *
 * @param current the count so far
 * @param total the whole
 */
public record ProportionData(long current, long total) implements StatData {

  /** {@code current / total}, or 0 when total is 0. */
  public double proportion() {
    return ratio(current, total);
  }

  /** {@link #proportion()} × 100. */
  public double percentage() {
    return proportion() * 100;
  }

  static double ratio(long part, long whole) {
    return whole == 0 ? 0 : (double) part / (double) whole;
  }

  @Override
  public void writeJson(JsonGenerator out, String nodeName) throws IOException {
    out.writeStartObject();
    out.writeNumberField("current", current);
    out.writeNumberField("total", total);
    out.writeNumberField("proportion", proportion());
    out.writeNumberField("percentage", percentage());
    out.writeEndObject();
  }

  @Override
  public OptionalDouble field(String field) {
    return switch (field) {
      case "current" -> OptionalDouble.of((double) current);
      case "total" -> OptionalDouble.of((double) total);
      case "proportion" -> OptionalDouble.of(proportion());
      case "percentage" -> OptionalDouble.of(percentage());
      default -> OptionalDouble.empty();
    };
  }
}
