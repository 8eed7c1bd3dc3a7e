package org.arithmospora.core.type;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.OptionalDouble;

/**
 * One integer, encoded as {@code {"<nodeName>": value}}. Any milestone field reads the value, as in
 * the Go program.
 *
 * @param value the value
 */
public record SingleValueData(long value) implements StatData {

  @Override
  public void writeJson(JsonGenerator out, String nodeName) throws IOException {
    out.writeStartObject();
    out.writeNumberField(nodeName, value);
    out.writeEndObject();
  }

  @Override
  public OptionalDouble field(String field) {
    return OptionalDouble.of((double) value);
  }
}
