package org.arithmospora.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON Merge Patch (RFC 7396): the patch that turns one JSON document into another, and applying
 * one. A stat's payload is objects of objects with numbers and strings at the leaves, where a vote
 * changes a few leaves: the patch holds just those.
 */
final class MergePatch {
  static final ObjectMapper JSON = new ObjectMapper();

  private MergePatch() {}

  /**
   * The patch from {@code from} to {@code to}, or null when a merge patch cannot say it: a null in
   * {@code to} (a patch's null means "remove"), or either document not an object.
   */
  static ObjectNode diff(JsonNode from, JsonNode to) {
    if (!from.isObject() || !to.isObject()) {
      return null;
    }
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> e : to.properties()) {
      JsonNode before = from.get(e.getKey());
      JsonNode after = e.getValue();
      if (after.isNull()) {
        return null;
      }
      if (before != null && before.isObject() && after.isObject()) {
        ObjectNode inner = diff(before, after);
        if (inner == null) {
          return null;
        }
        if (!inner.isEmpty()) {
          patch.set(e.getKey(), inner);
        }
      } else if (before == null || !before.equals(after)) {
        patch.set(e.getKey(), after);
      }
    }
    for (Iterator<String> it = from.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!to.has(name)) {
        patch.putNull(name);
      }
    }
    return patch;
  }

  /**
   * {@code target} with {@code patch} applied (RFC 7396 section 2); {@code target} is not changed.
   */
  static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result =
        target != null && target.isObject()
            ? ((ObjectNode) target).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      if (e.getValue().isNull()) {
        result.remove(e.getKey());
      } else {
        result.set(e.getKey(), apply(result.get(e.getKey()), e.getValue()));
      }
    }
    return result;
  }
}
