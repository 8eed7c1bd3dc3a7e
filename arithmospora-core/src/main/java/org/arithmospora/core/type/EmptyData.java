package org.arithmospora.core.type;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.OptionalDouble;

/** No data: encoded as {@code {}}. A timed stat's own node carries it. */
public enum EmptyData implements StatData {
  /** The only instance. */
  INSTANCE;

  @Override
  public void writeJson(JsonGenerator out, String nodeName) throws IOException {
    out.writeStartObject();
    out.writeEndObject();
  }

  @Override
  public OptionalDouble field(String field) {
    return OptionalDouble.empty();
  }
}
