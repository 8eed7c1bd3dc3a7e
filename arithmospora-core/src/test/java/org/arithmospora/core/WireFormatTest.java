package org.arithmospora.core;

import static org.arithmospora.core.JsonAssert.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.arithmospora.core.type.EmptyData;
import org.arithmospora.core.type.GenericData;
import org.arithmospora.core.type.ProportionData;
import org.arithmospora.core.type.RollingData;
import org.arithmospora.core.type.SingleValueData;
import org.arithmospora.core.type.TimedSeriesData;
import org.arithmospora.core.wire.EncodedMessage;
import org.arithmospora.core.wire.WireFormat;
import org.junit.jupiter.api.Test;

class WireFormatTest {

  private static String statJson(StatDefinition def, DataPoint tree) {
    return WireFormat.stat(def, tree).text();
  }

  @Test
  void thePayloadAloneIsTheMessagesPayloadBytes() {
    EncodedMessage m =
        WireFormat.stat(
            StatDefinition.of("proportion", "quote\"d"),
            DataPoint.of("quote\"d", new ProportionData(1, 2)));
    java.nio.ByteBuffer payload = m.payload();
    byte[] bytes = new byte[payload.remaining()];
    payload.get(bytes);
    String text = m.text();
    assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(text.substring(text.indexOf(",\"payload\":") + 11, text.length() - 1))
        .startsWith("{\"name\":\"quote\\\"d\"");
  }

  @Test
  void protocolTwoCarriesTheSamePayloadWithAVersionOfItsBytesAndTheTimeItWasRead() {
    StatDefinition def = StatDefinition.of("proportion", "total");
    EncodedMessage a = WireFormat.stat(def, DataPoint.of("total", new ProportionData(1, 2)));
    EncodedMessage again = WireFormat.stat(def, DataPoint.of("total", new ProportionData(1, 2)));
    EncodedMessage other = WireFormat.stat(def, DataPoint.of("total", new ProportionData(2, 2)));
    // Another message of the same data (as another server would make it): the same version.
    assertThat(again.sequence()).isNotEqualTo(a.sequence());
    assertThat(WireFormat.version(again)).isEqualTo(WireFormat.version(a)).hasSize(16);
    assertThat(WireFormat.version(other)).isNotEqualTo(WireFormat.version(a));

    EncodedMessage v2 = WireFormat.versioned(a, Instant.parse("2026-03-03T12:00:01Z"));
    assertJsonEquals(
        v2.text(),
        "{\"event\":\"stats:proportion:total\",\"version\":\""
            + WireFormat.version(a)
            + "\",\"asOf\":\"2026-03-03T12:00:01Z\",\"payload\":"
            + StandardCharsets.UTF_8.decode(a.payload())
            + "}");
    assertThat(v2.payload()).isEqualTo(a.payload());
  }

  @Test
  void singleValueIsKeyedByTheNodesOwnName() {
    DataPoint tree =
        DataPoint.of(
            "totalvotes",
            new SingleValueData(2345),
            Map.of("UG", DataPoint.of("UG", new SingleValueData(2000))));
    assertJsonEquals(
        """
        {"event":"stats:other:totalvotes","payload":{"name":"totalvotes","data":{"totalvotes":2345},
         "dataPoints":{"UG":{"name":"UG","data":{"UG":2000},"dataPoints":{}}}}}""",
        statJson(StatDefinition.of("other", "totalvotes").withDataType("single_value"), tree));
  }

  @Test
  void singleValueWithAPeriodIsKeyedByPeriodAndName() {
    DataPoint tree = DataPoint.of("totalvotes", new SingleValueData(12));
    EncodedMessage m =
        WireFormat.stat(
            StatDefinition.of("other", "totalvotes").withDataType("single_value").withPeriod("5m"),
            tree);
    assertThat(m.event()).isEqualTo("stats:other:5m:totalvotes");
    assertJsonEquals(
        """
        {"event":"stats:other:5m:totalvotes","payload":{"name":"totalvotes","data":{"totalvotes":12},"dataPoints":{}}}""",
        m.text());
  }

  @Test
  void genericIsTheHashItself() {
    DataPoint tree = DataPoint.of("colours", new GenericData(Map.of("a", 1L, "b", 2L)));
    assertJsonEquals(
        """
        {"event":"stats:other:colours","payload":{"name":"colours","data":{"a":1,"b":2},"dataPoints":{}}}""",
        statJson(StatDefinition.of("other", "colours").withDataType("generic"), tree));
  }

  @Test
  void proportionDerivesProportionAndPercentage() {
    DataPoint tree = DataPoint.of("total", new ProportionData(71, 200));
    assertJsonEquals(
        """
        {"event":"stats:proportion:total","payload":{"name":"total",
         "data":{"current":71,"total":200,"proportion":0.355,"percentage":35.5},"dataPoints":{}}}""",
        statJson(StatDefinition.of("proportion", "total"), tree));
  }

  @Test
  void proportionOfZeroTotalIsZeroNotNaN() {
    DataPoint tree = DataPoint.of("total", new ProportionData(5, 0));
    assertJsonEquals(
        """
        {"event":"stats:proportion:total","payload":{"name":"total",
         "data":{"current":5,"total":0,"proportion":0,"percentage":0.0},"dataPoints":{}}}""",
        statJson(StatDefinition.of("proportion", "total"), tree));
  }

  @Test
  void rollingAddsPeakFields() {
    DataPoint tree = DataPoint.of("total", new RollingData(10, 200, 50));
    assertJsonEquals(
        """
        {"event":"stats:rolling:5m:total","payload":{"name":"total",
         "data":{"current":10,"total":200,"peak":50,"proportion":0.05,"percentage":5,
                 "peakProportion":0.25,"peakPercentage":25},"dataPoints":{}}}""",
        statJson(StatDefinition.of("rolling", "total").withPeriod("5m"), tree));
  }

  @Test
  void rollingOfZeroTotalHasZeroPeakProportion() {
    DataPoint tree = DataPoint.of("total", new RollingData(0, 0, 7));
    assertJsonEquals(
        """
        {"event":"stats:rolling:1h:total","payload":{"name":"total",
         "data":{"current":0,"total":0,"peak":7,"proportion":0,"percentage":0,
                 "peakProportion":0,"peakPercentage":0},"dataPoints":{}}}""",
        statJson(StatDefinition.of("rolling", "total").withPeriod("1h"), tree));
  }

  @Test
  void timedStatHasEmptyDataAndOneSeriesPerPeriod() {
    TreeMap<Long, Long> buckets = new TreeMap<>(Map.of(100L, 3L, 101L, 0L, 102L, 9L));
    DataPoint tree =
        DataPoint.of(
            "turnout",
            EmptyData.INSTANCE,
            Map.of("60", DataPoint.of("60", new TimedSeriesData(60, buckets))));
    assertJsonEquals(
        """
        {"event":"stats:timed:turnout","payload":{"name":"turnout","data":{},
         "dataPoints":{"60":{"name":"60","data":{"100":3,"101":0,"102":9},"dataPoints":{}}}}}""",
        statJson(StatDefinition.of("timed", "turnout"), tree));
  }

  @Test
  void nestedDataPointsRecurse() {
    DataPoint t = DataPoint.of("T", new ProportionData(1, 4));
    DataPoint r = DataPoint.of("R", new ProportionData(3, 4));
    DataPoint pg = DataPoint.of("PG", new ProportionData(4, 8), Map.of("T", t, "R", r));
    DataPoint ug = DataPoint.of("UG", new ProportionData(0, 2));
    DataPoint tree =
        DataPoint.of("studytypes", new ProportionData(4, 10), Map.of("PG", pg, "UG", ug));
    assertJsonEquals(
        """
        {"event":"stats:proportion:studytypes","payload":{"name":"studytypes",
          "data":{"current":4,"total":10,"proportion":0.4,"percentage":40},
          "dataPoints":{
            "PG":{"name":"PG","data":{"current":4,"total":8,"proportion":0.5,"percentage":50},
                  "dataPoints":{
                    "T":{"name":"T","data":{"current":1,"total":4,"proportion":0.25,"percentage":25},"dataPoints":{}},
                    "R":{"name":"R","data":{"current":3,"total":4,"proportion":0.75,"percentage":75},"dataPoints":{}}}},
            "UG":{"name":"UG","data":{"current":0,"total":2,"proportion":0,"percentage":0},"dataPoints":{}}}}}""",
        statJson(StatDefinition.of("proportion", "studytypes"), tree));
  }

  @Test
  void availableListsGroupsWithTheirKeysInConfigOrder() {
    SourceDefinition source =
        SourceDefinition.builder("election")
            .stat("proportion", "total")
            .stat("proportion", "studytypes")
            .stat(StatDefinition.of("rolling", "total").withPeriod("5m"))
            .stat(StatDefinition.of("other", "totalvotes").withDataType("single_value"))
            .stat(
                StatDefinition.of("other", "totalvotes")
                    .withDataType("single_value")
                    .withPeriod("5m"))
            .build();
    EncodedMessage m = WireFormat.available(source);
    assertThat(m.event()).isEqualTo("available");
    assertJsonEquals(
        """
        {"event":"available","payload":{"proportion":["total","studytypes"],"rolling":["5m:total"],
         "other":["totalvotes","5m:totalvotes"]}}""",
        m.text());
    // Order of keys within a group is part of the contract: compare the text too.
    assertThat(m.text())
        .contains("[\"total\",\"studytypes\"]")
        .contains("[\"totalvotes\",\"5m:totalvotes\"]");
  }

  @Test
  void milestoneCarriesEveryFieldAndAnRfc3339Time() {
    MilestoneDefinition m =
        new MilestoneDefinition(
            "half", List.of("PG", "T"), "percentage", 50, "==", "Half the PGTs!");
    EncodedMessage msg = WireFormat.milestone(m, Instant.parse("2017-03-03T12:34:56Z"));
    assertJsonEquals(
        """
        {"event":"milestone","payload":{"name":"half","dataPointNames":["PG","T"],"field":"percentage",
         "target":50,"comparator":"==","message":"Half the PGTs!","achievedWhen":"2017-03-03T12:34:56Z"}}""",
        msg.text());
  }

  @Test
  void milestoneWithoutDataPointsHasAnEmptyList() {
    MilestoneDefinition m =
        new MilestoneDefinition("first", null, "current", 1, ">=", "The first vote is in");
    assertJsonEquals(
        """
        {"event":"milestone","payload":{"name":"first","dataPointNames":[],"field":"current",
         "target":1.0,"comparator":">=","message":"The first vote is in","achievedWhen":"2017-03-03T12:00:00.5Z"}}""",
        WireFormat.milestone(m, Instant.parse("2017-03-03T12:00:00.500Z")).text());
  }

  @Test
  void encodedMessagesShareTheirBytesAndAreOrdered() {
    EncodedMessage a =
        WireFormat.stat(
            StatDefinition.of("proportion", "total"),
            DataPoint.of("total", new ProportionData(1, 2)));
    EncodedMessage b =
        WireFormat.stat(
            StatDefinition.of("proportion", "total"),
            DataPoint.of("total", new ProportionData(2, 2)));
    assertThat(b.sequence()).isGreaterThan(a.sequence());
    assertThat(a.bytes().isReadOnly()).isTrue();
    assertThat(a.bytes().remaining()).isEqualTo(a.size());
    byte[] copy = new byte[a.size()];
    a.copyTo(copy, 0);
    assertThat(new String(copy, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(a.text());
  }
}
