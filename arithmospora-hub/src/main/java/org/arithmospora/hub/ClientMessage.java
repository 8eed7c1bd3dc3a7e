package org.arithmospora.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Protocol 2: what a client may send, parsed and checked (docs/protocol.md, "Protocol 2"). Anything
 * else becomes an {@link Invalid} with the error code to answer it with. Parsed on the transport's
 * thread, so that the hub's thread only acts.
 */
sealed interface ClientMessage {
  /** {@code {"event":"hello","payload":{"protocol":2}}}. */
  record Hello(int protocol) implements ClientMessage {}

  /**
   * {@code {"event":"subscribe","payload":{"stats":[…],"maxRate":2}}}; {@code maxRate} 0 when not
   * given.
   */
  record Subscribe(List<String> stats, double maxRate) implements ClientMessage {}

  /** {@code {"event":"unsubscribe","payload":{"stats":[…]}}}. */
  record Unsubscribe(List<String> stats) implements ClientMessage {}

  /** {@code {"event":"resume","payload":{"versions":{"group:key":"<version>",…}}}}. */
  record Resume(java.util.Map<String, String> versions) implements ClientMessage {}

  /** A message the server cannot act on: the error to answer it with. */
  record Invalid(String code, String message, String subject) implements ClientMessage {}

  ObjectMapper JSON = new ObjectMapper();

  /** Parses one message a client sent. */
  static ClientMessage parse(String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return new Invalid("malformed", "not JSON: " + e.getOriginalMessage(), null);
    }
    if (root == null || !root.isObject() || !root.path("event").isTextual()) {
      return new Invalid("malformed", "expected {\"event\": \"…\", \"payload\": {…}}", null);
    }
    String event = root.get("event").asText();
    JsonNode payload = root.path("payload");
    switch (event) {
      case "hello":
        if (!payload.path("protocol").canConvertToInt()) {
          return new Invalid("invalid", "hello needs payload.protocol, a number", event);
        }
        return new Hello(payload.get("protocol").asInt());
      case "subscribe":
      case "unsubscribe":
        List<String> stats = new ArrayList<>();
        JsonNode list = payload.path("stats");
        if (!list.isArray() || list.isEmpty()) {
          return new Invalid(
              "invalid", event + " needs payload.stats, a list of stat names", event);
        }
        for (JsonNode s : list) {
          if (!s.isTextual()) {
            return new Invalid("invalid", "stat names are strings, got " + s, event);
          }
          stats.add(s.asText());
        }
        if (event.equals("unsubscribe")) {
          return new Unsubscribe(List.copyOf(stats));
        }
        JsonNode rate = payload.path("maxRate");
        if (!rate.isMissingNode() && !(rate.isNumber() && rate.asDouble() > 0)) {
          return new Invalid(
              "invalid", "maxRate is a positive number of messages a second, got " + rate, event);
        }
        return new Subscribe(List.copyOf(stats), rate.isMissingNode() ? 0 : rate.asDouble());
      case "resume":
        JsonNode versions = payload.path("versions");
        if (!versions.isObject()) {
          return new Invalid(
              "invalid", "resume needs payload.versions, {\"group:key\": \"version\", …}", event);
        }
        java.util.Map<String, String> held = new java.util.LinkedHashMap<>();
        for (java.util.Map.Entry<String, JsonNode> e : versions.properties()) {
          if (!e.getValue().isTextual()) {
            return new Invalid("invalid", "versions are strings, got " + e.getValue(), event);
          }
          held.put(e.getKey(), e.getValue().asText());
        }
        return new Resume(java.util.Collections.unmodifiableMap(held));
      default:
        return new Invalid("unknown_event", "no event '" + event + "' is known", event);
    }
  }
}
