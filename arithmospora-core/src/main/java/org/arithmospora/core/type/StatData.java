package org.arithmospora.core.type;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.OptionalDouble;

/**
 * The typed data of one node of a stat tree. Implementations are immutable values with {@code
 * equals}: an unchanged tree is not sent again.
 */
public interface StatData {

  /**
   * Writes this data as the JSON value of the node's {@code "data"} member.
   *
   * @param out where to write exactly one JSON value
   * @param nodeName the name of the node that holds this data (single values use it as their key)
   */
  void writeJson(JsonGenerator out, String nodeName) throws IOException;

  /**
   * The value of a field a milestone may read, or empty when this data has no such field.
   *
   * @param field the field's name, e.g. {@code percentage}
   */
  OptionalDouble field(String field);
}
