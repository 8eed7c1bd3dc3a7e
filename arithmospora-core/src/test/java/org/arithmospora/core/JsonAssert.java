package org.arithmospora.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Comparator;

/** Compares JSON documents as trees, numbers by value: {@code 50} equals {@code 50.0}. */
final class JsonAssert {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final Comparator<JsonNode> NUMERIC =
      (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
          return Double.compare(a.doubleValue(), b.doubleValue());
        }
        return a.equals(b) ? 0 : 1;
      };

  private JsonAssert() {}

  static void assertJsonEquals(String expected, String actual) {
    JsonNode e = parse(expected);
    JsonNode a = parse(actual);
    assertThat(e.equals(NUMERIC, a))
        .as("JSON differs%n expected: %s%n   actual: %s", e, a)
        .isTrue();
  }

  static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }
}
