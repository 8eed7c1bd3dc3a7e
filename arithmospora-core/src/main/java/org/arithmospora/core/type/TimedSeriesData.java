package org.arithmospora.core.type;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The buckets of one timed period's window: bucket number to count, every bucket of the window
 * present. Encoded as {@code {"<bucket>": count, ...}}. A milestone may read {@code sum} (all
 * buckets of the window) and {@code latest} (the newest bucket).
 *
 * @param granularitySeconds the bucket size
 * @param buckets bucket number ({@code floor(unixSeconds / granularity)}) to count
 */
public record TimedSeriesData(long granularitySeconds, NavigableMap<Long, Long> buckets)
    implements StatData {

  public TimedSeriesData {
    buckets = Collections.unmodifiableNavigableMap(new TreeMap<>(buckets));
  }

  @Override
  public void writeJson(JsonGenerator out, String nodeName) throws IOException {
    out.writeStartObject();
    for (Map.Entry<Long, Long> e : buckets.entrySet()) {
      out.writeFieldName(Long.toString(e.getKey()));
      out.writeNumber(e.getValue());
    }
    out.writeEndObject();
  }

  @Override
  public OptionalDouble field(String field) {
    return switch (field) {
      case "sum" ->
          OptionalDouble.of((double) buckets.values().stream().mapToLong(Long::longValue).sum());
      case "latest" ->
          buckets.isEmpty()
              ? OptionalDouble.of(0)
              : OptionalDouble.of(buckets.lastEntry().getValue());
      default -> OptionalDouble.empty();
    };
  }
}
