package org.arithmospora.http;

import java.util.Map;
import java.util.Objects;

/**
 * How the dashboard names one stat and its data points, from the optional label keys of the stat's
 * configuration; served to pages in {@code defaults.js}, never part of the websocket stream.
 *
 * @param label the stat's name for people, e.g. {@code Turnout by study type}; null for none
 * @param dataPoints data point name to its name for people, e.g. {@code PG} to {@code Postgraduate}
 */
public record StatLabel(String label, Map<String, String> dataPoints) {

  public StatLabel {
    dataPoints = Map.copyOf(Objects.requireNonNull(dataPoints));
  }
}
