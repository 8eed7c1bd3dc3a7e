package org.arithmospora.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.OptionalDouble;
import org.arithmospora.core.type.ProportionData;
import org.arithmospora.core.type.SingleValueData;
import org.arithmospora.core.type.StatData;
import org.junit.jupiter.api.Test;

class StatTextTest {

  @Test
  void builtInTypesReadAsTheGoProgramPrintedThem() {
    assertThat(StatText.text(new ProportionData(1, 4)))
        .isEqualTo("current: 1, total: 4, proportion: 0.25, percentage: 25.0");
    assertThat(StatText.text(new SingleValueData(7))).isEqualTo("7");
  }

  @Test
  void aCustomTypeIsShownAsItsJson() {
    StatData leader =
        new StatData() {
          @Override
          public void writeJson(JsonGenerator out, String nodeName) throws IOException {
            out.writeStartObject();
            out.writeStringField("leader", "Ada");
            out.writeEndObject();
          }

          @Override
          public OptionalDouble field(String field) {
            return OptionalDouble.empty();
          }
        };
    assertThat(StatText.text(leader)).isEqualTo("{\"leader\":\"Ada\"}");
  }
}
