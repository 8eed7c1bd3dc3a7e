package org.arithmospora.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.arithmospora.core.MilestoneDefinition;
import org.arithmospora.core.MilestoneGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Protocol 2 through the hub with fake transports: hello, subscriptions, errors, milestones. */
class Protocol2Test {
  private HubFixture f;

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
  }

  private static DeliverySettings.Builder settings() {
    return DeliverySettings.builder().snapshotDelay(Duration.ofMillis(100));
  }

  /** Sends {@code json} as the client and lets it read what comes back. */
  private void say(FakeClient c, String json) {
    c.connection.received(json);
    f.keepReading(c, Duration.ofMillis(10));
  }

  private static List<String> after(FakeClient c, int from) {
    return c.events().subList(from, c.events().size());
  }

  private static JsonNode last(FakeClient c, String event) {
    List<JsonNode> p = c.payloads(event);
    return p.get(p.size() - 1);
  }

  @Test
  void aClientThatSaysHelloGetsTheAnswerAvailableAndMilestonesThenOnlyWhatItSubscribedTo() {
    f = new HubFixture(3, settings().build());
    FakeClient c = f.connect("p2");
    say(c, "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
    assertThat(c.events()).containsExactly("available", "hello", "available", "milestones");
    assertThat(last(c, "hello").get("protocol").asInt()).isEqualTo(2);
    assertThat(last(c, "hello").get("features").toString()).contains("subscribe");
    assertThat(last(c, "milestones").isArray()).isTrue();

    // Subscribed to nothing, its snapshot is empty.
    f.keepReading(c, Duration.ofMillis(200));
    assertThat(c.events()).hasSize(4);

    int before = c.events().size();
    say(c, "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"proportion:stat1\"]}}");
    // Its snapshot holds exactly the newly subscribed stat, with a version and asOf.
    assertThat(after(c, before)).containsExactly("stats:proportion:stat1");
    JsonNode message = c.received.get(c.received.size() - 1);
    assertThat(message.get("version").asText()).matches("[0-9a-f]{16}");
    assertThat(message.get("asOf").asText()).endsWith("Z");
    assertThat(message.get("payload").get("name").asText()).isEqualTo("stat1");

    before = c.events().size();
    f.vote();
    f.keepReading(c, Duration.ofMillis(10));
    assertThat(after(c, before)).containsExactly("stats:proportion:stat1");

    say(c, "{\"event\":\"unsubscribe\",\"payload\":{\"stats\":[\"proportion:stat1\"]}}");
    before = c.events().size();
    f.vote();
    f.keepReading(c, Duration.ofMillis(10));
    assertThat(after(c, before)).isEmpty();
  }

  @Test
  void versionsAreThoseOfThePayloadAndProtocolOneClientsSeeTodaysMessages() {
    f = new HubFixture(2, settings().build());
    FakeClient one = f.connectAndReadSnapshot("protocol 1");
    FakeClient two = f.connect("protocol 2");
    say(two, "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
    say(two, "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"*\"]}}");
    f.keepReading(two, Duration.ofMillis(200));
    f.vote();
    f.keepReading(one, Duration.ofMillis(10));
    f.keepReading(two, Duration.ofMillis(10));

    JsonNode v1 = one.received.get(one.received.size() - 1);
    JsonNode v2 = two.received.get(two.received.size() - 1);
    assertThat(v1.has("version")).isFalse();
    assertThat(v1.fieldNames()).toIterable().containsExactly("event", "payload");
    assertThat(v2.get("event")).isEqualTo(v1.get("event"));
    assertThat(v2.get("payload")).isEqualTo(v1.get("payload"));
    // The same data gives the same version; other data another.
    JsonNode earlier = two.payloads(v2.get("event").asText()).get(0);
    assertThat(earlier).isNotEqualTo(v2.get("payload"));
    List<String> versions =
        two.received.stream()
            .filter(m -> m.get("event").asText().equals(v2.get("event").asText()))
            .map(m -> m.get("version").asText())
            .toList();
    assertThat(versions).doesNotHaveDuplicates().hasSize(2);
  }

  @Test
  void afterItsFirstWholeCopyAClientGetsDeltasMadeOncePerBaseThatApplyToTheWhole() {
    f = new HubFixture(3, settings().build());
    FakeClient one = f.connectAndReadSnapshot("protocol 1");
    FakeClient a = f.connect("a");
    FakeClient b = f.connect("b");
    for (FakeClient c : List.of(a, b)) {
      say(c, "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
      say(c, "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"*\"]}}");
      f.keepReading(c, Duration.ofMillis(200));
    }
    int rawBefore = a.raw.size();
    long made = f.hub.deltasMade();
    f.vote();
    for (FakeClient c : List.of(one, a, b)) {
      f.keepReading(c, Duration.ofMillis(10));
    }
    // One round of reading changed all three stats: one batch frame, of three deltas.
    assertThat(a.raw.subList(rawBefore, a.raw.size()))
        .singleElement()
        .satisfies(m -> assertThat(m.get("event").asText()).isEqualTo("batch"));
    List<JsonNode> came = a.rawMessages(rawBefore);
    assertThat(came).hasSize(3).allSatisfy(m -> assertThat(m.has("base")).isTrue());
    // Smaller than the whole: a vote changes a few numbers.
    JsonNode delta = came.get(0);
    assertThat(delta.toString().length())
        .isLessThan(one.received.get(one.received.size() - 3).toString().length());
    // Three stats changed: three deltas made, for both clients.
    assertThat(f.hub.deltasMade() - made).isEqualTo(3);
    // Applied, each is the whole payload a protocol-1 client got.
    for (String stat : f.stats) {
      assertThat(last(a, "stats:proportion:" + stat))
          .isEqualTo(last(one, "stats:proportion:" + stat))
          .isEqualTo(last(b, "stats:proportion:" + stat));
    }
  }

  @Test
  void aRoundOfChangesIsOneBatchFrameForProtocolTwoAndOneFlushForProtocolOne() {
    f = new HubFixture(4, settings().build());
    FakeClient one = f.connectAndReadSnapshot("protocol 1");
    FakeClient two = f.connect("protocol 2");
    say(two, "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
    say(two, "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"*\"]}}");
    f.keepReading(two, Duration.ofMillis(200));
    FakeClient some = f.connect("two stats");
    say(some, "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
    say(
        some,
        "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"proportion:stat0\",\"proportion:stat3\"]}}");
    f.keepReading(some, Duration.ofMillis(200));
    int twoFrames = two.raw.size();
    int someFrames = some.raw.size();
    int oneMessages = one.received.size();
    int oneFlushes = one.flushes;
    f.vote();
    for (FakeClient c : List.of(one, two, some)) {
      f.keepReading(c, Duration.ofMillis(10));
    }
    assertThat(two.raw.subList(twoFrames, two.raw.size()))
        .singleElement()
        .satisfies(b -> assertThat(b.get("payload")).hasSize(4));
    // A batch holds what the client subscribed to, and nothing else.
    assertThat(some.raw.subList(someFrames, some.raw.size()))
        .singleElement()
        .satisfies(
            b ->
                assertThat(b.get("payload").findValuesAsText("event"))
                    .containsExactly("stats:proportion:stat0", "stats:proportion:stat3"));
    assertThat(one.received.size() - oneMessages).isEqualTo(4);
    assertThat(one.flushes - oneFlushes).as("written in one flush").isEqualTo(1);
    // The whole documents are those of protocol 1.
    for (String stat : f.stats) {
      assertThat(last(two, "stats:proportion:" + stat))
          .isEqualTo(last(one, "stats:proportion:" + stat));
    }
  }

  @Test
  void aSubscriptionToADataPointGetsItsSubtreeAloneAndOnlyWhenItChanges() {
    f = new HubFixture(2, settings().build());
    FakeClient c = f.connect("one department");
    say(c, "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
    say(
        c,
        "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"proportion:stat0/dp2\","
            + "\"proportion:stat0/nowhere\"]}}");
    f.keepReading(c, Duration.ofMillis(200));
    assertThat(last(c, "error").get("code").asText()).isEqualTo("unknown_stat");
    assertThat(last(c, "error").get("subject").asText()).isEqualTo("proportion:stat0/nowhere");
    assertThat(c.events().stream().filter(e -> e.startsWith("stats:")))
        .containsExactly("stats:proportion:stat0/dp2");
    JsonNode sub = last(c, "stats:proportion:stat0/dp2");
    assertThat(sub.get("name").asText()).isEqualTo("dp2");
    assertThat(sub.get("data").get("current").asLong()).isEqualTo(2);
    assertThat(sub.has("dataPoints")).isTrue();

    // A vote changes the stat's own numbers, not dp2's: nothing comes.
    int before = c.events().size();
    f.vote();
    f.keepReading(c, Duration.ofMillis(10));
    assertThat(after(c, before)).isEmpty();
    // dp2 changes: its subtree comes, as a delta applied to what the client holds.
    f.store.stat("stat0").dataPoint("dp2").set("current", 42);
    f.source.refreshAll();
    f.keepReading(c, Duration.ofMillis(10));
    assertThat(after(c, before)).containsExactly("stats:proportion:stat0/dp2");
    assertThat(c.raw.get(c.raw.size() - 1).has("base")).isTrue();
    assertThat(last(c, "stats:proportion:stat0/dp2").get("data").get("current").asLong())
        .isEqualTo(42);
  }

  @Test
  void aClientTooFarBehindGetsAWholeCopy() {
    HubFixture fixture = new HubFixture(1, settings().build());
    f = fixture;
    List<OutboundMessage> versions = new java.util.ArrayList<>();
    for (int i = 0; i <= OutboundMessage.MAX_DELTAS + 1; i++) {
      fixture.vote();
      versions.add(
          new OutboundMessage(
              fixture.source.stats().get(0).message().orElseThrow(),
              "stats:proportion:stat0",
              0,
              java.time.Instant.now()));
    }
    OutboundMessage newest = versions.get(versions.size() - 1);
    java.util.concurrent.atomic.AtomicLong made = new java.util.concurrent.atomic.AtomicLong();
    for (int i = 0; i < OutboundMessage.MAX_DELTAS; i++) {
      assertThat(newest.forClientHolding(versions.get(i), made).message().text())
          .contains("\"base\"");
    }
    // The same base again: the same delta, not another.
    assertThat(newest.forClientHolding(versions.get(0), made))
        .isSameAs(newest.forClientHolding(versions.get(0), made));
    assertThat(made.get()).isEqualTo(OutboundMessage.MAX_DELTAS);
    // One more base than deltas are kept for: the whole.
    assertThat(newest.forClientHolding(versions.get(OutboundMessage.MAX_DELTAS), made))
        .isSameAs(newest.forProtocol2());
  }

  @Test
  void aClientResumingOnAnotherServerOfTheSameStoreGetsOnlyWhatChanged() {
    f = new HubFixture(3, settings().build());
    FakeClient first = f.connect("first visit");
    say(first, "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
    say(first, "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"*\"]}}");
    f.keepReading(first, Duration.ofMillis(200));
    f.vote();
    f.keepReading(first, Duration.ofMillis(10));
    StringBuilder versions = new StringBuilder();
    for (String stat : f.stats) {
      JsonNode held = first.held("stats:proportion:" + stat);
      versions
          .append(versions.length() == 0 ? "" : ",")
          .append("\"proportion:")
          .append(stat)
          .append("\":\"")
          .append(held.get("version").asText())
          .append("\"");
    }

    // A second server reading the same store; stat1 changes while the client is away.
    try (HubFixture.Second other = f.secondServer()) {
      f.vote("stat1", 500);
      other.settle();
      FakeClient back = FakeClient.connect(other.hub, HubFixture.SOURCE, "back");
      back.holdAsBefore(first);
      back.connection.received("{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
      back.connection.received(
          "{\"event\":\"resume\",\"payload\":{\"versions\":{" + versions + "}}}");
      back.connection.received("{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"*\"]}}");
      f.keepReading(back, Duration.ofMillis(200));
      List<String> stats = back.events().stream().filter(e -> e.startsWith("stats:")).toList();
      assertThat(stats).containsExactly("stats:proportion:stat1");
      // A delta, against the version it held: the other server read that version too.
      JsonNode got = back.rawMessages(0).get(back.rawMessages(0).size() - 1);
      assertThat(got.has("base")).isTrue();
      assertThat(back.lastCurrent("stat1")).isEqualTo(500);

      // Without resume, the whole snapshot.
      FakeClient fresh = FakeClient.connect(other.hub, HubFixture.SOURCE, "fresh");
      fresh.connection.received("{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
      fresh.connection.received("{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"*\"]}}");
      f.keepReading(fresh, Duration.ofMillis(200));
      assertThat(fresh.events().stream().filter(e -> e.startsWith("stats:"))).hasSize(3);
    }
  }

  @Test
  void badMessagesGetAnErrorWithACodeAndTheConnectionStays() {
    f = new HubFixture(2, settings().clientMessagesPerSecond(5).build());
    FakeClient c = f.connectAndReadSnapshot("clumsy");
    say(c, "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
    say(c, "{not json");
    assertThat(last(c, "error").get("code").asText()).isEqualTo("malformed");
    say(c, "{\"event\":\"dance\",\"payload\":{}}");
    assertThat(last(c, "error").get("code").asText()).isEqualTo("unknown_event");
    assertThat(last(c, "error").get("subject").asText()).isEqualTo("dance");
    say(
        c,
        "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"proportion:nope\",\"proportion:stat0\"]}}");
    assertThat(last(c, "error").get("code").asText()).isEqualTo("unknown_stat");
    assertThat(last(c, "error").get("subject").asText()).isEqualTo("proportion:nope");
    // The known one in the same message is subscribed all the same.
    assertThat(c.events()).contains("stats:proportion:stat0");
    say(c, "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"" + "x".repeat(3000) + "\"]}}");
    assertThat(last(c, "error").get("code").asText()).isEqualTo("too_large");
    say(c, "{\"event\":\"hello\",\"payload\":{\"protocol\":3}}");
    assertThat(last(c, "error").get("code").asText()).isEqualTo("unsupported_protocol");

    // Too many a second: told once, the rest ignored.
    int errors = c.payloads("error").size();
    for (int i = 0; i < 30; i++) {
      c.connection.received("{\"event\":\"dance\",\"payload\":{}}");
    }
    f.keepReading(c, Duration.ofMillis(10));
    List<JsonNode> newErrors = c.payloads("error").subList(errors, c.payloads("error").size());
    assertThat(newErrors.stream().filter(e -> e.get("code").asText().equals("rate_limited")))
        .hasSize(1);
    assertThat(newErrors.size()).isLessThan(15);
    assertThat(c.closeCode).isEqualTo(-1);
    assertThat(c.aborted).isNull();
  }

  @Test
  void aProtocolOneClientThatSaysSomethingElseIsIgnoredAsBefore() {
    f = new HubFixture(2, settings().build());
    FakeClient c = f.connectAndReadSnapshot("go-era");
    int before = c.events().size();
    say(c, "ping");
    say(c, "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"proportion:stat0\"]}}");
    assertThat(after(c, before)).isEmpty();
    f.vote();
    f.keepReading(c, Duration.ofMillis(10));
    assertThat(after(c, before)).hasSize(2);
  }

  @Test
  void maxRateCapsOneClientsMessagesPerStat() {
    f = new HubFixture(1, settings().build());
    FakeClient c = f.connect("phone");
    say(c, "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
    say(c, "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"*\"],\"maxRate\":2}}");
    f.keepReading(c, Duration.ofMillis(200));
    FakeClient uncapped = f.connect("desk");
    say(uncapped, "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
    say(uncapped, "{\"event\":\"subscribe\",\"payload\":{\"stats\":[\"*\"]}}");
    f.keepReading(uncapped, Duration.ofMillis(200));
    int capped = c.payloads("stats:proportion:stat0").size();
    int free = uncapped.payloads("stats:proportion:stat0").size();
    // 20 votes over 2 s of virtual time.
    for (int i = 0; i < 20; i++) {
      f.vote();
      for (int ms = 0; ms < 100; ms++) {
        c.readAll();
        uncapped.readAll();
        f.advance(Duration.ofMillis(1));
      }
    }
    f.keepReading(c, Duration.ofMillis(600));
    int cappedGot = c.payloads("stats:proportion:stat0").size() - capped;
    int freeGot = uncapped.payloads("stats:proportion:stat0").size() - free;
    assertThat(freeGot).isEqualTo(20);
    assertThat(cappedGot).isBetween(4, 6);
    // Conflated, not dropped: the newest arrives.
    assertThat(c.lastCurrent("stat0")).isEqualTo(20);
  }

  @Test
  void aLateJoinerLearnsTheMilestonesMetSoFar() {
    MilestoneGroup milestones =
        new MilestoneGroup(
            "turnout",
            "proportion",
            "stat0",
            List.of(
                new MilestoneDefinition("one", null, "current", 1, ">=", "first vote"),
                new MilestoneDefinition("many", null, "current", 99, ">=", "99 votes")));
    f = new HubFixture(1, settings().build(), milestones);
    f.vote();
    f.advance(Duration.ofMillis(10));
    FakeClient late = f.connect("late");
    say(late, "{\"event\":\"hello\",\"payload\":{\"protocol\":2}}");
    JsonNode met = last(late, "milestones");
    assertThat(met).hasSize(1);
    assertThat(met.get(0).get("name").asText()).isEqualTo("one");
    assertThat(met.get(0).get("message").asText()).isEqualTo("first vote");
    assertThat(met.get(0).get("achievedWhen").asText()).startsWith("2026-11-05T20:00");
  }
}
