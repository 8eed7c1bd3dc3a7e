package org.arithmospora.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.arithmospora.core.MilestoneDefinition;
import org.arithmospora.core.MilestoneGroup;
import org.arithmospora.core.wire.EncodedMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hub with fake transports on a virtual clock: flow control, conflation, keep-alive, drops. */
class HubTest {
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

  private int largestMessage() {
    return f.source.stats().stream()
            .mapToInt(s -> s.message().orElseThrow().size())
            .max()
            .orElseThrow()
        + FakeClient.HEADER;
  }

  @Test
  void aNewClientGetsAvailableThenItsSnapshotThenEachChange() {
    f = new HubFixture(3, settings().build());
    FakeClient c = f.connect("a");
    c.readAll();
    assertThat(c.events()).containsExactly("available");
    f.advance(Duration.ofMillis(110));
    c.readAll();
    assertThat(c.events())
        .containsExactly(
            "available",
            "stats:proportion:stat0",
            "stats:proportion:stat1",
            "stats:proportion:stat2");
    f.vote();
    c.readAll();
    assertThat(c.events()).hasSize(7);
    assertThat(c.lastCurrent("stat2")).isEqualTo(1);
    assertThat(f.hub.connectedClients()).isEqualTo(1);
    assertThat(f.hub.connectedClients(HubFixture.SOURCE)).isEqualTo(1);
  }

  @Test
  void aClientThatComesBackGetsOnlyTheStatsThatChangedSinceItWasCaughtUp() {
    f = new HubFixture(3, settings().build());
    FakeClient a = f.connectAndReadSnapshot("a");
    long newest =
        f.source.stats().stream()
            .mapToLong(s -> s.message().orElseThrow().sequence())
            .max()
            .orElseThrow();
    assertThat(a.caughtUpTo).isEqualTo(newest);
    f.vote("stat1", 7);
    f.keepReading(a, Duration.ofMillis(5));
    long afterVote =
        f.source.find("proportion", "stat1").orElseThrow().message().orElseThrow().sequence();
    assertThat(a.caughtUpTo).isEqualTo(afterVote);

    // It leaves holding everything up to afterVote; stat2 changes while it is away.
    long resume = a.caughtUpTo;
    f.vote("stat2", 9);
    FakeClient back = FakeClient.connect(f.hub, HubFixture.SOURCE, "a again", resume);
    f.keepReading(back, f.hub.settings().snapshotDelay().plusMillis(20));
    assertThat(back.events()).containsExactly("available", "stats:proportion:stat2");
    assertThat(back.lastCurrent("stat2")).isEqualTo(9);

    // Without a resume point the snapshot holds every stat.
    FakeClient fresh = f.connectAndReadSnapshot("fresh");
    assertThat(fresh.events()).hasSize(4);
  }

  @Test
  void theWindowBoundsWhatIsOnItsWayToAClientThatReadsNothing() {
    int window = 4096;
    f =
        new HubFixture(
            5, settings().sendWindowBytes(window).writeWait(Duration.ofHours(1)).build());
    FakeClient c = f.connectAndReadSnapshot("stalled");
    for (int i = 0; i < 500; i++) {
      f.vote();
      f.advance(Duration.ofMillis(20));
    }
    // At most one message beyond the window was handed over; the rest waits, one per stat.
    assertThat(c.bytesUnconsumed()).isLessThan(window + largestMessage());
    Hub.FlowState state = f.hub.flowState(c.connection);
    // The hub counts as in flight everything it has not heard acknowledged: at least as much.
    assertThat(state.bytesInFlight())
        .isBetween(c.bytesUnconsumed(), (long) window + largestMessage());
    assertThat(state.messagesWaiting()).isBetween(1, 5);
    assertThat(f.hub.messagesConflated()).isGreaterThan(400 * 5);
    assertThat(f.hub.clientsWaiting()).isEqualTo(1);
    assertThat(c.aborted).isNull();
  }

  @Test
  void aClientThatStallsThenResumesGetsTheNewestValueOfEachStatNextNotTheBacklog() {
    f = new HubFixture(5, settings().sendWindowBytes(4096).writeWait(Duration.ofHours(1)).build());
    FakeClient c = f.connectAndReadSnapshot("tab in the background");
    int before = c.received.size();
    for (int i = 0; i < 300; i++) {
      f.vote();
      f.advance(Duration.ofMillis(20));
    }
    f.keepReading(c, Duration.ofMillis(100));
    int afterResume = c.received.size() - before;
    // What was in flight when it stalled, then the newest version of each stat: not 300 votes'
    // worth.
    assertThat(afterResume).isLessThan(4096 / 200 + 5 + 1);
    for (String stat : f.stats) {
      assertThat(c.lastCurrent(stat)).as(stat).isEqualTo(300);
    }
    assertThat(f.hub.flowState(c.connection).messagesWaiting()).isZero();
    assertThat(f.hub.clientsWaiting()).isZero();
  }

  @Test
  void aBusyServerHoldsMessagesInItsWindowWithoutTakingTheClientForSlow() {
    int window = 4096;
    f =
        new HubFixture(
            5, settings().sendWindowBytes(window).writeWait(Duration.ofHours(1)).build());
    FakeClient c = f.connect("fast client, busy server");
    c.tellsWritten = true;
    f.keepReading(c, Duration.ofMillis(150));
    c.serverStalled = true; // the server's selector is busy: what the hub hands over waits there
    for (int i = 0; i < 200; i++) {
      f.vote();
      f.keepReading(c, Duration.ofMillis(20));
    }
    Hub.FlowState stalled = f.hub.flowState(c.connection);
    // The server's own backlog is bounded by the window too; the rest is conflated in the hub.
    assertThat(c.bytesHandedOver - c.bytesWritten())
        .as("handed over, not written")
        .isLessThan(window + largestMessage());
    assertThat(stalled.bytesInFlight())
        .as("with the client's part")
        .isLessThan(2L * window + largestMessage());
    assertThat(stalled.messagesWaiting()).isBetween(1, 5);
    assertThat(stalled.bytesPerSecond())
        .as("the client was never the limit: not measured")
        .isEqualTo(-1);
    c.serverCatchesUp();
    f.keepReading(c, Duration.ofMillis(100));
    for (String stat : f.stats) {
      assertThat(c.lastCurrent(stat)).as(stat).isEqualTo(200);
    }
    Hub.FlowState after = f.hub.flowState(c.connection);
    assertThat(after.bytesPerSecond())
        .as("the server's stall was not measured as the client's reading")
        .isEqualTo(-1);
    assertThat(after.windowBytes()).as("not shrunk for the server's delay").isEqualTo(window);
  }

  @Test
  void answersTheServerReadsLateAreTimedByTheirArrivalSoAFastClientIsNotTakenForSlow() {
    LateReads timedByArrival = fastClientWhoseAnswersAreReadLate(true);
    f.close();
    LateReads timedAsRead = fastClientWhoseAnswersAreReadLate(false);
    // It reads everything within 20 ms; the server reads its answers every 400 ms. Timed as
    // read, it looks like a client that takes 400 ms for a window's worth, and is held to that.
    assertThat(timedAsRead.end().windowBytes()).isLessThan(16 * 1024);
    assertThat(timedAsRead.conflatedInSecondHalf()).isPositive();
    // Timed by arrival, its window has room for what the server's late reading holds in it.
    assertThat(timedByArrival.end().windowBytes()).isGreaterThanOrEqualTo(48 * 1024);
    assertThat(timedByArrival.conflatedInSecondHalf()).isZero();
  }

  private record LateReads(Hub.FlowState end, long conflatedInSecondHalf) {}

  private LateReads fastClientWhoseAnswersAreReadLate(boolean saysHowLate) {
    f =
        new HubFixture(
            5, settings().sendWindowBytes(128 * 1024).writeWait(Duration.ofHours(1)).build());
    FakeClient c = f.connectAndReadSnapshot("fast client, busy selector");
    c.answersReadLate = true;
    long conflatedAtHalf = 0;
    for (int i = 1; i <= 300; i++) {
      f.vote();
      f.advance(Duration.ofMillis(20));
      c.readAll();
      if (i % 20 == 0) {
        c.serverReadsAnswers(saysHowLate);
      }
      if (i == 150) {
        conflatedAtHalf = f.hub.messagesConflated();
      }
    }
    return new LateReads(
        f.hub.flowState(c.connection), f.hub.messagesConflated() - conflatedAtHalf);
  }

  @Test
  void aClientThatKeepsUpGetsEveryVersion() {
    f = new HubFixture(3, settings().build());
    FakeClient c = f.connectAndReadSnapshot("fast");
    for (int i = 0; i < 50; i++) {
      f.vote();
      f.advance(Duration.ofMillis(20));
      c.readAll();
    }
    assertThat(c.payloads("stats:proportion:stat1"))
        .extracting(p -> p.get("data").get("current").asLong())
        .containsSequence(1L, 2L, 3L)
        .hasSize(51)
        .last()
        .isEqualTo(50L);
    assertThat(f.hub.messagesConflated()).isZero();
  }

  @Test
  void aClientThatReadsSlowlyIsNeverDroppedAndItsWindowShrinksToItsPace() {
    int max = 64 * 1024;
    // Half the default write_wait: a 2 KB/s client shows progress at least every 4 s (every 8 KB
    // at most, until its window shrinks).
    f = new HubFixture(5, settings().sendWindowBytes(max).writeWait(Duration.ofSeconds(5)).build());
    FakeClient slow = f.connectAndReadSnapshot("phone on a crowded network");
    // About 10 KB of changes a second; the client reads 2 KB a second.
    for (int ms = 0; ms < 60_000; ms += 10) {
      if (ms % 100 == 0) {
        f.vote();
      }
      f.advance(Duration.ofMillis(10));
      slow.read(20);
    }
    assertThat(slow.aborted).isNull();
    assertThat(f.hub.clientsDropped()).isZero();
    Hub.FlowState state = f.hub.flowState(slow.connection);
    assertThat(state.bytesPerSecond()).isBetween(1000.0, 4000.0);
    // About a quarter of a second of its reading in flight, not the 64 KB maximum.
    assertThat(state.windowBytes()).isLessThan(4 * SendWindow.MIN_BYTES);
    assertThat(slow.bytesUnconsumed()).isLessThan(state.windowBytes() + largestMessage());
    // When the votes stop it catches up with the newest numbers.
    for (int i = 0; i < 500; i++) {
      f.advance(Duration.ofMillis(10));
      slow.read(20);
    }
    for (String stat : f.stats) {
      assertThat(slow.lastCurrent(stat)).as(stat).isEqualTo(f.votes);
    }
  }

  @Test
  void aClientThatTakesNothingForWriteWaitIsDroppedWithItsReasonCounted() {
    f = new HubFixture(5, settings().writeWait(Duration.ofSeconds(3)).build());
    FakeClient gone = f.connectAndReadSnapshot("gone");
    FakeClient fine = f.connectAndReadSnapshot("fine");
    // Its window fills with the first votes; from then on it has taken nothing.
    for (int i = 0; i < 100; i++) {
      f.vote();
      f.advance(Duration.ofMillis(20));
      fine.readAll();
    }
    assertThat(gone.aborted).as("after 2 s").isNull();
    // write_wait, or as long as 2 KB/s would take for what is ahead of its oldest request (up to
    // 8 KB here: 4 s), whichever is longer.
    for (int i = 0; i < 200; i++) {
      f.vote();
      f.advance(Duration.ofMillis(20));
      fine.readAll();
    }
    assertThat(gone.aborted)
        .as("after 6 s")
        .contains("took nothing for more than 3 s (write_wait)");
    assertThat(fine.aborted).isNull();
    assertThat(f.hub.clientsDropped(DropReason.STUCK)).isEqualTo(1);
    assertThat(f.hub.clientsDropped(DropReason.SILENT)).isZero();
    assertThat(f.hub.connectedClients()).isEqualTo(1);
  }

  @Test
  void aClientWhoseAccessEndsIsClosedWith1008ThenAndNotBefore() {
    f = new HubFixture(2, settings().build());
    FakeClient expiring = f.connect("expiring");
    expiring.connection.accessEndsAt(f.clock.now().plusSeconds(10));
    FakeClient forGood = f.connect("for good");
    f.keepReading(expiring, Duration.ofSeconds(9));
    forGood.readAll();
    assertThat(expiring.closeCode).as("9 s in, 1 s before its token expires").isEqualTo(-1);
    f.keepReading(expiring, Duration.ofSeconds(2));
    forGood.readAll();
    assertThat(expiring.closeCode).isEqualTo(1008);
    assertThat(expiring.closeReason).isEqualTo("token expired");
    assertThat(forGood.closeCode).isEqualTo(-1);
    assertThat(f.hub.clientsExpired()).isEqualTo(1);
    assertThat(f.hub.connectedClients()).isEqualTo(1);
  }

  @Test
  void aClientWhoseAccessEndedBeforeItArrivedIsClosedAtOnce() {
    f = new HubFixture(2, settings().build());
    FakeClient late = f.connect("late");
    late.connection.accessEndsAt(f.clock.now().minusSeconds(1));
    f.keepReading(late, Duration.ofSeconds(1));
    assertThat(late.closeCode).isEqualTo(1008);
  }

  @Test
  void anIdleClientIsPingedAndKeptWhileItAnswersAndDroppedWhenSilent() {
    f =
        new HubFixture(
            2,
            settings()
                .pingPeriod(Duration.ofSeconds(5))
                .pongWait(Duration.ofSeconds(8))
                .writeWait(Duration.ofSeconds(30))
                .build());
    FakeClient answers = f.connectAndReadSnapshot("answers");
    FakeClient silent = f.connectAndReadSnapshot("silent");
    long requestsBefore = f.hub.acknowledgementsRequested();
    for (int s = 0; s < 60; s++) {
      f.advance(Duration.ofSeconds(1));
      answers.readAll();
    }
    assertThat(answers.aborted).isNull();
    assertThat(silent.aborted).contains("silent for more than 8 s (pong_wait)");
    assertThat(f.hub.clientsDropped(DropReason.SILENT)).isEqualTo(1);
    // A keep-alive every ping period for the one that answers: about 12 in 60 s.
    assertThat(f.hub.acknowledgementsRequested() - requestsBefore).isBetween(10L, 14L);
  }

  @Test
  void aClientWhosePongsDoNotEchoTheirPingStillHasItsWindowReopened() {
    f = new HubFixture(5, settings().sendWindowBytes(4096).build());
    FakeClient c = f.connectAndReadSnapshot("old library");
    c.echo = false;
    for (int i = 0; i < 200; i++) {
      f.vote();
      f.advance(Duration.ofMillis(20));
      c.readAll();
    }
    for (String stat : f.stats) {
      assertThat(c.lastCurrent(stat)).isEqualTo(200);
    }
    assertThat(c.aborted).isNull();
  }

  @Test
  void theRateCapConflatesOneStatBetweenItsMessages() {
    f = new HubFixture(2, settings().maxStatRate(2).build());
    FakeClient c = f.connectAndReadSnapshot("capped");
    for (int i = 1; i <= 50; i++) {
      f.vote("stat0", i); // 10 a second for 5 s
      f.advance(Duration.ofMillis(100));
      c.readAll();
    }
    f.advance(Duration.ofSeconds(1));
    c.readAll();
    List<JsonNode> got = c.payloads("stats:proportion:stat0");
    // The snapshot, then at most two a second, the last one the newest.
    assertThat(got.size()).isBetween(9, 13);
    assertThat(got.get(got.size() - 1).get("data").get("current").asLong()).isEqualTo(50);
    assertThat(f.hub.messagesConflated()).isGreaterThan(30);
  }

  @Test
  void milestonesAreNeverConflated() {
    MilestoneGroup milestones =
        new MilestoneGroup(
            "turnout",
            "proportion",
            "stat0",
            List.of(
                new MilestoneDefinition("ten", null, "percentage", 10, ">=", "10%"),
                new MilestoneDefinition("twenty", null, "percentage", 20, ">=", "20%"),
                new MilestoneDefinition("thirty", null, "percentage", 30, ">=", "30%")));
    f =
        new HubFixture(
            3, settings().sendWindowBytes(2048).writeWait(Duration.ofHours(1)).build(), milestones);
    FakeClient c = f.connectAndReadSnapshot("stalled");
    for (int i = 1; i <= 400; i++) {
      f.vote();
      f.advance(Duration.ofMillis(20));
    }
    f.keepReading(c, Duration.ofMillis(100));
    assertThat(c.payloads("milestone"))
        .extracting(m -> m.get("name").asText())
        .containsExactly("ten", "twenty", "thirty");
    assertThat(c.lastCurrent("stat0")).isEqualTo(400);
  }

  @Test
  void beyondMaxConnectionsAClientIsClosedWithTryAgainLater() {
    f = new HubFixture(1, settings().maxConnections(2).build());
    FakeClient a = f.connect("a");
    FakeClient b = f.connect("b");
    FakeClient c = f.connect("c");
    assertThat(a.closeCode).isEqualTo(-1);
    assertThat(b.closeCode).isEqualTo(-1);
    assertThat(c.closeCode).isEqualTo(1013);
    assertThat(f.hub.clientsRefused()).isEqualTo(1);
    a.connection.closed();
    assertThat(f.connect("d").closeCode).isEqualTo(-1);
  }

  @Test
  void aMessageIsFramedOncePerKindOfTransportHoweverManyClientsGetIt() {
    f = new HubFixture(1, settings().build());
    AtomicInteger framings = new AtomicInteger();
    Function<EncodedMessage, byte[]> framing =
        m -> {
          framings.incrementAndGet();
          return m.text().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        };
    List<FakeClient> clients = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      FakeClient c = new FakeClient("framing " + i);
      c.framing = framing;
      c.connection = f.hub.connect(HubFixture.SOURCE, c);
      clients.add(c);
    }
    f.advance(Duration.ofMillis(110));
    clients.forEach(FakeClient::readAll);
    framings.set(0);
    f.vote();
    clients.forEach(FakeClient::readAll);
    assertThat(framings.get()).isEqualTo(1);
    assertThat(clients).allSatisfy(c -> assertThat(c.lastCurrent("stat0")).isEqualTo(1));
  }

  @Test
  void aRoundGoesWholeToEveryClientThatKeepsUpAndOneByOneToAClientWithMessagesWaiting() {
    f = new HubFixture(5, settings().writeWait(Duration.ofHours(1)).build());
    FakeClient a = f.connectAndReadSnapshot("keeps up");
    FakeClient b = f.connectAndReadSnapshot("keeps up too");
    FakeClient slow = f.connectAndReadSnapshot("stalls");
    f.vote();
    a.readAll();
    b.readAll();
    assertThat(a.rounds).hasSize(1);
    // The same round for both: a transport frames it once for all.
    assertThat(b.rounds).containsExactly(a.rounds.get(0));
    assertThat(a.rounds.get(0).messages()).hasSize(5);
    assertThat(a.lastCurrent("stat4")).isEqualTo(1);
    assertThat(a.events()).hasSize(1 + 5 + 5);

    // A client whose window is shut gets no round: what it has not taken waits, one per stat, and
    // only the newest goes once it reads again.
    for (int i = 0; i < 20; i++) {
      f.vote();
      f.keepReading(a, Duration.ofMillis(10));
    }
    int roundsWhileStalled = slow.rounds.size();
    f.keepReading(slow, Duration.ofMillis(100));
    for (String stat : f.stats) {
      assertThat(slow.lastCurrent(stat)).as(stat).isEqualTo(21);
    }
    assertThat(slow.received.size()).isLessThan(1 + 5 + 21 * 5);
    assertThat(roundsWhileStalled).isLessThan(21);
    assertThat(a.rounds).hasSize(21);
    assertThat(a.lastCurrent("stat4")).isEqualTo(21);
  }

  @Test
  void aClientThatLeavesIsForgotten() {
    f = new HubFixture(2, settings().build());
    FakeClient c = f.connectAndReadSnapshot("leaves");
    int received = c.received.size();
    c.connection.closed();
    f.vote();
    c.readAll();
    assertThat(f.hub.connectedClients()).isZero();
    assertThat(c.received).hasSize(received);
  }

  @Test
  void settingsOutOfRangeAreRefusedByTheirConfigurationKey() {
    assertThatThrownBy(() -> DeliverySettings.builder().sendWindowBytes(100).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("send_window_bytes");
    assertThatThrownBy(
            () -> DeliverySettings.builder().sendWindowTime(Duration.ofMillis(-1)).build())
        .hasMessageContaining("send_window_ms");
    assertThatThrownBy(() -> DeliverySettings.builder().maxStatRate(-1).build())
        .hasMessageContaining("max_stat_rate");
    assertThatThrownBy(() -> DeliverySettings.builder().pingPeriod(Duration.ofSeconds(60)).build())
        .hasMessageContaining("ping_period (60 s) must be shorter than pong_wait (60 s)");
    assertThatThrownBy(() -> Hub.builder(DeliverySettings.ofDefaults()).build())
        .hasMessageContaining("at least one source");
  }
}
