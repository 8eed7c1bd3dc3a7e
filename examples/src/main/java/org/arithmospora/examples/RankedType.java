package org.arithmospora.examples;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.arithmospora.core.store.StatReadException;
import org.arithmospora.core.type.NodeContext;
import org.arithmospora.core.type.NodeQuery;
import org.arithmospora.core.type.RawData;
import org.arithmospora.core.type.StatData;
import org.arithmospora.core.type.StatType;

/**
 * A custom stat type, {@code ranked}: candidates' votes, read as a hash (candidate → votes, the
 * same layout as a generic stat) and sent as a ranking with shares:
 *
 * <pre>{"ranking":[{"name":"Avery","votes":31,"share":0.62},...],"leader":"Avery","margin":12}
 * </pre>
 *
 * <p>Milestones may read {@code leaderVotes} and {@code margin} (the leader's lead over second
 * place).
 */
public final class RankedType implements StatType {

  /** A ranking: candidates with votes, most votes first. Immutable. */
  public record Ranking(List<Map.Entry<String, Long>> candidates) implements StatData {

    public Ranking {
      candidates = List.copyOf(candidates);
    }

    long total() {
      return candidates.stream().mapToLong(Map.Entry::getValue).sum();
    }

    long margin() {
      if (candidates.isEmpty()) {
        return 0;
      }
      return candidates.get(0).getValue()
          - (candidates.size() > 1 ? candidates.get(1).getValue() : 0);
    }

    @Override
    public void writeJson(JsonGenerator out, String nodeName) throws IOException {
      long total = total();
      out.writeStartObject();
      out.writeArrayFieldStart("ranking");
      for (Map.Entry<String, Long> c : candidates) {
        out.writeStartObject();
        out.writeStringField("name", c.getKey());
        out.writeNumberField("votes", c.getValue());
        out.writeNumberField("share", total == 0 ? 0 : c.getValue() / (double) total);
        out.writeEndObject();
      }
      out.writeEndArray();
      if (!candidates.isEmpty()) {
        out.writeStringField("leader", candidates.get(0).getKey());
      }
      out.writeNumberField("margin", margin());
      out.writeEndObject();
    }

    @Override
    public OptionalDouble field(String field) {
      return switch (field) {
        case "leaderVotes" ->
            OptionalDouble.of(candidates.isEmpty() ? 0 : (double) candidates.get(0).getValue());
        case "margin" -> OptionalDouble.of((double) margin());
        default -> OptionalDouble.empty();
      };
    }
  }

  @Override
  public String name() {
    return "ranked";
  }

  @Override
  public NodeQuery query(NodeContext node) {
    return NodeQuery.allFields();
  }

  @Override
  public StatData decode(NodeContext node, RawData raw) throws StatReadException {
    List<Map.Entry<String, Long>> candidates = new ArrayList<>(raw.longFields().entrySet());
    candidates.sort(
        Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()));
    return new Ranking(candidates.stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList());
  }

  @Override
  public Set<String> fieldNames() {
    return Set.of("leaderVotes", "margin");
  }
}
