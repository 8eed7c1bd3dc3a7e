package org.arithmospora.core.type;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.arithmospora.core.store.StatReadException;

/**
 * What a loader read for one node, still as strings, together with where it came from so that a
 * {@link StatType} can report bad data precisely. Missing values and fields read as 0 through the
 * {@code long} accessors, as the Go program did. Immutable.
 */
public final class RawData {
  private final String location;
  private final String value;
  private final Map<String, String> fields;

  private RawData(String location, String value, Map<String, String> fields) {
    this.location = location;
    this.value = value;
    this.fields = fields;
  }

  /** The result of a {@link NodeQuery.Kind#VALUE} read; {@code value} is null when missing. */
  public static RawData ofValue(String location, String value) {
    return new RawData(location, value, Map.of());
  }

  /** The result of a map read; absent fields are left out of {@code fields}. */
  public static RawData ofFields(String location, Map<String, String> fields) {
    return new RawData(location, null, Collections.unmodifiableMap(new LinkedHashMap<>(fields)));
  }

  /** The result of a {@link NodeQuery.Kind#NONE} query. */
  public static RawData empty(String location) {
    return new RawData(location, null, Map.of());
  }

  /** Where this was read from, e.g. a Redis key; used in error messages. */
  public String location() {
    return location;
  }

  /** The scalar value as stored, or {@code null} when there is none. */
  public String value() {
    return value;
  }

  /** The fields as stored, in the order the store gave them. */
  public Map<String, String> fields() {
    return fields;
  }

  /** The scalar value as an integer, 0 when missing. */
  public long longValue() throws StatReadException {
    return parse(value, null);
  }

  /** A field as an integer, 0 when missing. */
  public long longField(String field) throws StatReadException {
    return parse(fields.get(field), field);
  }

  /** Every field as an integer, in the store's order. */
  public Map<String, Long> longFields() throws StatReadException {
    Map<String, Long> result = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      result.put(e.getKey(), parse(e.getValue(), e.getKey()));
    }
    return result;
  }

  private long parse(String text, String field) throws StatReadException {
    if (text == null) {
      return 0;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new StatReadException(
          location, field, "value '" + abbreviate(text) + "' is not an integer");
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }

  @Override
  public String toString() {
    return location + (value != null ? "=" + value : fields.isEmpty() ? "" : fields.toString());
  }
}
