package org.arithmospora.core.type;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.OptionalDouble;

/**
 * A proportion over a rolling time frame, which goes down as well as up, with the busiest period's
 * {@code peak}. Adds {@code peakProportion = peak / total} (0 when total is 0) and {@code
 * peakPercentage}.
 *
 * @param current the count in the current frame
 * @param total the whole
 * @param peak the highest count of any frame
 */
public record RollingData(long current, long total, long peak) implements StatData {

  /** {@code current / total}, or 0 when total is 0. */
  public double proportion() {
    return ProportionData.ratio(current, total);
  }

  /** {@link #proportion()} × 100. */
  public double percentage() {
    return proportion() * 100;
  }

  /** {@code peak / total}, or 0 when total is 0. */
  public double peakProportion() {
    return ProportionData.ratio(peak, total);
  }

  /** {@link #peakProportion()} × 100. */
  public double peakPercentage() {
    return peakProportion() * 100;
  }

  @Override
  public void writeJson(JsonGenerator out, String nodeName) throws IOException {
    out.writeStartObject();
    out.writeNumberField("current", current);
    out.writeNumberField("total", total);
    out.writeNumberField("peak", peak);
    out.writeNumberField("proportion", proportion());
    out.writeNumberField("percentage", percentage());
    out.writeNumberField("peakProportion", peakProportion());
    out.writeNumberField("peakPercentage", peakPercentage());
    out.writeEndObject();
  }

  @Override
  public OptionalDouble field(String field) {
    return switch (field) {
      case "current" -> OptionalDouble.of((double) current);
      case "total" -> OptionalDouble.of((double) total);
      case "peak" -> OptionalDouble.of((double) peak);
      case "proportion" -> OptionalDouble.of(proportion());
      case "percentage" -> OptionalDouble.of(percentage());
      case "peakProportion" -> OptionalDouble.of(peakProportion());
      case "peakPercentage" -> OptionalDouble.of(peakPercentage());
      default -> OptionalDouble.empty();
    };
  }
}
