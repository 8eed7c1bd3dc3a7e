package org.arithmospora.config;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Typed reads from a parsed TOML file that collect problems instead of throwing, each naming the
 * file, the line, the key and what was expected, so that one run reports every mistake.
 */
final class TomlReader {
  private final String file;
  private final boolean strict;
  final List<String> errors = new ArrayList<>();
  final List<String> warnings = new ArrayList<>();

  /**
   * @param strict unknown keys are errors rather than warnings (as the Go program had them)
   */
  TomlReader(String file, boolean strict) {
    this.file = file;
    this.strict = strict;
  }

  /** {@code file:line} of a key in a table, or of the table itself when the key is absent. */
  String at(TomlTable table, String key, TomlPosition fallback) {
    TomlPosition p = key == null ? null : table.inputPositionOf(List.of(key));
    if (p == null) {
      p = fallback;
    }
    return p == null ? file : file + ":" + p.line();
  }

  void error(TomlTable table, String key, TomlPosition fallback, String path, String message) {
    errors.add(at(table, key, fallback) + ": " + path + ": " + message);
  }

  Optional<String> string(TomlTable t, String key, String path, TomlPosition where) {
    return typed(t, key, path, where, String.class, "a string");
  }

  Optional<Long> integer(TomlTable t, String key, String path, TomlPosition where) {
    return typed(t, key, path, where, Long.class, "an integer");
  }

  Optional<Boolean> bool(TomlTable t, String key, String path, TomlPosition where) {
    return typed(t, key, path, where, Boolean.class, "true or false");
  }

  Optional<TomlArray> array(TomlTable t, String key, String path, TomlPosition where) {
    return typed(t, key, path, where, TomlArray.class, "an array");
  }

  Optional<TomlTable> table(TomlTable t, String key, String path, TomlPosition where) {
    return typed(t, key, path, where, TomlTable.class, "a table");
  }

  /** An integer or a float. */
  Optional<Double> number(TomlTable t, String key, String path, TomlPosition where) {
    Object v = t.get(List.of(key));
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof Long l) {
      return Optional.of(l.doubleValue());
    }
    if (v instanceof Double d) {
      return Optional.of(d);
    }
    error(t, key, where, path(path, key), "expected a number, found " + describe(v));
    return Optional.empty();
  }

  /** A date-time with an offset such as {@code 2017-03-03T12:00:00Z}. */
  Optional<OffsetDateTime> offsetDateTime(
      TomlTable t, String key, String path, TomlPosition where) {
    Object v = t.get(List.of(key));
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof OffsetDateTime odt) {
      return Optional.of(odt);
    }
    error(
        t,
        key,
        where,
        path(path, key),
        "expected a date-time with a time zone such as 2017-03-03T12:00:00Z, found " + describe(v));
    return Optional.empty();
  }

  <T> Optional<T> required(
      Optional<T> value, TomlTable t, String key, String path, TomlPosition where, String what) {
    if (value.isEmpty() && t.get(List.of(key)) == null) {
      error(t, null, where, path(path, key), "is required (" + what + ")");
    }
    return value;
  }

  /** A warning about {@code key} of {@code t}, saying where it is. */
  void warn(TomlTable t, String key, TomlPosition where, String message) {
    warnings.add(at(t, key, where) + ": " + message);
  }

  /**
   * Warns about every key of {@code t} not in {@code known} (an error when strict), naming the
   * nearest known key when one is close: {@code is_lve} is a typo of {@code is_live}.
   */
  void unknownKeys(TomlTable t, String path, Set<String> known, TomlPosition where) {
    for (String key : new TreeSet<>(t.keySet())) {
      if (!known.contains(key)) {
        String nearest = nearest(key, known);
        String message =
            at(t, key, where)
                + ": unknown key "
                + path(path, key)
                + (strict ? "" : " is ignored")
                + (nearest == null ? "" : "; did you mean " + nearest + "?")
                + " (known here: "
                + String.join(", ", new TreeSet<>(known))
                + ")";
        (strict ? errors : warnings).add(message);
      }
    }
  }

  /** The known name within two edits of {@code key}, if there is one. */
  static String nearest(String key, Set<String> known) {
    String best = null;
    int bestDistance = 3;
    for (String k : new TreeSet<>(known)) {
      int d = distance(key, k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** One table of an array of tables: its index, its path in messages and where it is. */
  record Item(int index, TomlTable table, String path, TomlPosition where) {}

  /**
   * The tables of array {@code key} in {@code owner}, each with its unknown keys (not in {@code
   * known}) warned about; any other element is an error saying it should be {@code expected}.
   * Elements are checked as the iteration reaches them, so each element's problems come before
   * those the caller finds in the next.
   */
  Iterable<Item> tables(
      TomlTable owner,
      String key,
      TomlArray array,
      String parent,
      String expected,
      Set<String> known) {
    String arrayPath = path(parent, key);
    return () ->
        new java.util.Iterator<>() {
          private int next;
          private Item ahead;

          @Override
          public boolean hasNext() {
            while (ahead == null && next < array.size()) {
              int i = next++;
              String itemPath = arrayPath + "[" + i + "]";
              TomlPosition where = array.inputPositionOf(i);
              if (array.get(i) instanceof TomlTable table) {
                unknownKeys(table, itemPath, known, where);
                ahead = new Item(i, table, itemPath, where);
              } else {
                errors.add(at(owner, key, where) + ": " + itemPath + ": expected " + expected);
              }
            }
            return ahead != null;
          }

          @Override
          public Item next() {
            if (!hasNext()) {
              throw new java.util.NoSuchElementException();
            }
            Item item = ahead;
            ahead = null;
            return item;
          }
        };
  }

  static String path(String parent, String key) {
    return parent == null || parent.isEmpty() ? key : parent + "." + key;
  }

  private <T> Optional<T> typed(
      TomlTable t, String key, String path, TomlPosition where, Class<T> type, String expected) {
    Object v = t.get(List.of(key));
    if (v == null) {
      return Optional.empty();
    }
    if (type.isInstance(v)) {
      return Optional.of(type.cast(v));
    }
    error(t, key, where, path(path, key), "expected " + expected + ", found " + describe(v));
    return Optional.empty();
  }

  static String describe(Object v) {
    if (v instanceof String s) {
      return "the string \"" + s + "\"";
    }
    if (v instanceof Long || v instanceof Double) {
      return "the number " + v;
    }
    if (v instanceof Boolean) {
      return v.toString();
    }
    if (v instanceof TomlArray) {
      return "an array";
    }
    if (v instanceof TomlTable) {
      return "a table";
    }
    if (v instanceof LocalDateTime) {
      return "the local date-time " + v + " (no time zone)";
    }
    if (v instanceof LocalDate || v instanceof LocalTime) {
      return "the date or time " + v;
    }
    return v.toString();
  }
}
