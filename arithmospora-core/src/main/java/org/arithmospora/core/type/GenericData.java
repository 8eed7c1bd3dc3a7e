package org.arithmospora.core.type;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Free-form integer fields, encoded as a JSON object. A milestone may read any field; a missing one
 * reads as 0, as in the Go program.
 *
 * @param values the fields, kept sorted by name
 */
public record GenericData(Map<String, Long> values) implements StatData {

  public GenericData {
    values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  @Override
  public void writeJson(JsonGenerator out, String nodeName) throws IOException {
    out.writeStartObject();
    for (Map.Entry<String, Long> e : values.entrySet()) {
      out.writeNumberField(e.getKey(), e.getValue());
    }
    out.writeEndObject();
  }

  @Override
  public OptionalDouble field(String field) {
    return OptionalDouble.of(values.getOrDefault(field, 0L));
  }
}
