package org.arithmospora.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The send window against simulated clients of known speed and round trip, on a virtual clock in
 * steps of a millisecond: the sender always has 500-byte messages waiting, the client consumes at
 * its rate and answers each request for acknowledgement when it has consumed what came before.
 */
class SendWindowTest {
  private static final long MS = 1_000_000L;
  private static final int MESSAGE = 500;

  /**
   * What a simulated run ends with; {@code maxWindowLater}: the largest window from the fifth
   * second on, once the client was measured.
   */
  private record Outcome(
      SendWindow window,
      long maxInFlight,
      long bytesConsumed,
      long millisProbing,
      long maxWindowLater) {}

  private static Outcome simulate(
      int maxBytes, long targetMillis, double clientBytesPerSecond, long rttMillis, long seconds) {
    return simulate(
        maxBytes, targetMillis, clientBytesPerSecond, rttMillis, rttMillis, 0, 0, seconds);
  }

  /**
   * As above, with the round trip {@code laterRttMillis} from the fifth second on, and each answer
   * taken {@code readDelayMillis} after it arrived, as a busy server reads, and timed by its
   * arrival. With {@code roundMillis} above 0 the server reads answers only at the end of each
   * round of that length, and times each one at a random moment of that round: a selector that
   * cannot see arrival times knows only the round.
   */
  private static Outcome simulate(
      int maxBytes,
      long targetMillis,
      double clientBytesPerSecond,
      long firstRttMillis,
      long laterRttMillis,
      long readDelayMillis,
      long roundMillis,
      long seconds) {
    Random timing = new Random(1);
    SendWindow w = new SendWindow(maxBytes, targetMillis * MS);
    long now = 0;
    w.start(now);
    // Bytes on their way to the client, and requests, in order: [mark] of each request.
    ArrayDeque<long[]> requests = new ArrayDeque<>();
    ArrayDeque<long[]> acks = new ArrayDeque<>(); // [token, arrives at]
    double consumed = 0;
    long maxInFlight = 0;
    long millisProbing = 0;
    long maxWindowLater = 0;
    for (long t = 0; t < seconds * 1000; t++) {
      now = t * MS;
      long rttMillis = t < 5000 ? firstRttMillis : laterRttMillis;
      boolean reads = roundMillis == 0 || t % roundMillis == 0;
      while (reads && !acks.isEmpty() && acks.peek()[1] + readDelayMillis * MS <= now) {
        long[] ack = acks.poll();
        long timedAt =
            roundMillis == 0 ? ack[1] : now - (long) (timing.nextDouble() * roundMillis * MS);
        w.acknowledged(ack[0], now, timedAt, -1, -1);
      }
      // As the hub does: a request whenever enough was sent, and one when the window shuts.
      while (w.isOpen()) {
        w.sent(MESSAGE, now);
        w.written(-1); // written at once, as a transport that cannot tell counts it
        if (w.wantsAck(false)) {
          requests.add(new long[] {w.request(now), w.sent()});
        }
      }
      w.limited();
      if (w.wantsAck(true)) {
        requests.add(new long[] {w.request(now), w.sent()});
      }
      maxInFlight = Math.max(maxInFlight, w.inFlight());
      millisProbing += w.probing() ? 1 : 0;
      if (t >= 5000) {
        maxWindowLater = Math.max(maxWindowLater, w.window());
      }
      // The client reads what has reached it (half a round trip after it left: ignored, it is
      // small).
      consumed = Math.min((double) w.sent(), consumed + clientBytesPerSecond / 1000);
      while (!requests.isEmpty() && requests.peek()[1] <= consumed) {
        acks.add(new long[] {requests.poll()[0], now + rttMillis * MS / 2});
      }
    }
    return new Outcome(w, maxInFlight, (long) consumed, millisProbing, maxWindowLater);
  }

  @Test
  void aPromptClientsWindowHasRoomForTheServersLateReadingAndASlowOnesDoesNot() {
    // Both read 40 KB/s; the server takes each answer 200 ms after it arrived.
    Outcome prompt = simulate(64 * 1024, 250, 40_000, 10, 10, 200, 0, 30);
    Outcome slow = simulate(64 * 1024, 250, 40_000, 100, 100, 200, 0, 30);
    // What it reads in 250 ms, plus its round trip, plus the 200 ms its answers wait: what it has
    // read waits in its window until the server reads that it has.
    assertThat(secondsOfReading(prompt)).isCloseTo(0.25 + 0.01 + 0.2, within(0.05));
    // Not for a client with a round trip of its own (a quarter of the target or more): that room
    // would be as much more on its way, and stale by as much, if it is slow per message. Its round
    // trip, its backlog included, counts up to the target: 0.5 s at most, not 0.7 (0.45 here: its
    // probes measure 200 ms, net of what it read meanwhile).
    assertThat(secondsOfReading(slow)).isCloseTo(0.25 + 0.25, within(0.1));
    assertThat(prompt.bytesConsumed()).isGreaterThan(30 * 40_000 * 9 / 10);
  }

  @Test
  void answersTimedOnlyToWithinARoundOfTheServersReadingDoNotWidenASlowClientsWindow() {
    // 16 KB/s, 20 ms away; the server reads answers every 200 ms and knows only the round it read
    // each in. Two answers a round apart can then be timed a few milliseconds apart, and the bytes
    // between them, read in 200 ms, look read in no time: measured answer to answer, its window
    // reached 16 KB (a second of its reading) in this run.
    Outcome o = simulate(64 * 1024, 250, 16_000, 20, 20, 0, 200, 60);
    // What it reads in 250 ms plus its round trip is about 4.3 KB; three quarters of a second at
    // most.
    assertThat(o.maxWindowLater()).isLessThan(12_000);
    assertThat(o.bytesConsumed()).isGreaterThan((long) (16_000 * 60 * 0.85));
  }

  /** The window in seconds of the client's reading, as measured. */
  private static double secondsOfReading(Outcome o) {
    return o.window().window() / o.window().bytesPerSecond();
  }

  @Test
  void aSlowClientsWindowShrinksToWhatItReadsInTheTargetTimePlusARoundTrip() {
    Outcome o = simulate(64 * 1024, 250, 40_000, 20, 30);
    assertThat(o.window().bytesPerSecond()).isCloseTo(40_000, within(4_000.0));
    // 40 KB/s × (250 + 20) ms ≈ 10.8 KB, against 64 KB before it was measured.
    assertThat((double) o.window().window()).isCloseTo(10_800, within(2_500.0));
    // It still reads at its full speed: the window never starves it.
    assertThat(o.bytesConsumed()).isGreaterThan((long) (40_000 * 30 * 0.95));
  }

  @Test
  void theSlowestClientsKeepTheSmallestWindow() {
    Outcome o = simulate(64 * 1024, 250, 2_000, 20, 60);
    assertThat(o.window().window()).isEqualTo(SendWindow.MIN_BYTES);
    assertThat(o.window().bytesPerSecond()).isCloseTo(2_000, within(500.0));
  }

  @Test
  void aFastClientKeepsTheWholeWindow() {
    Outcome o = simulate(64 * 1024, 250, 50_000_000, 1, 5);
    assertThat(o.window().window()).isEqualTo(64 * 1024);
  }

  @Test
  void aFarAwayClientGetsAWindowThatCoversItsRoundTrip() {
    // 400 KB/s over 300 ms of round trip: it needs 120 KB in flight to read at full speed.
    Outcome o = simulate(256 * 1024, 250, 400_000, 300, 30);
    assertThat(o.window().window()).isGreaterThan(120_000);
    assertThat(o.bytesConsumed()).isGreaterThan((long) (400_000 * 30 * 0.85));
  }

  @Test
  void aLimitedClientsRoundTripIsMeasuredAfreshButNotWhenItIsAlreadyTheTargetTime() {
    // 40 KB/s, 20 ms away, then 60 ms: its window limits it, and the shortest round trip it
    // showed is measured afresh once it is ten seconds old.
    assertThat(simulate(64 * 1024, 250, 40_000, 20, 60, 0, 0, 30).millisProbing()).isPositive();
    // 8 KB/s, 300 ms away, then a second (a device busy with many pages): its round trip already
    // counts as the target time; a probe would hold it at the smallest window for seconds and
    // could not widen it.
    assertThat(simulate(64 * 1024, 250, 8_000, 300, 1000, 0, 0, 30).millisProbing()).isZero();
  }

  @Test
  void promptAnswersGrowTheWindowOnlyWhenTheyMeanTheClientRead() {
    SendWindow reads = promptlyAnswered(new SendWindow(64 * 1024, 250 * MS, 0));
    SendWindow leftOnly = promptlyAnswered(new SendWindow(64 * 1024, 250 * MS, 64 * 1024));
    assertThat(reads.window()).isGreaterThan(SendWindow.INITIAL_BYTES);
    // An event stream's answer says only that the kernel took the bytes: it does so at once while
    // it has room, however slowly the client reads.
    assertThat(leftOnly.window()).isEqualTo(SendWindow.INITIAL_BYTES);
  }

  @Test
  void whatTheKernelMayHoldBeyondAnAcknowledgementIsGivenTimeToBeRead() {
    long writeWait = 10_000 * MS;
    SendWindow pong = new SendWindow(8192, 250 * MS, 0);
    SendWindow eventStream = new SendWindow(8192, 250 * MS, 64 * 1024);
    for (SendWindow w : new SendWindow[] {pong, eventStream}) {
      w.start(0);
      w.sent(8192, 0);
      w.request(0);
    }
    // 11 s without an answer: 8 KiB ahead takes 4 s at 2 KB/s, so write_wait decides.
    assertThat(pong.stuck(writeWait, 11_000 * MS)).isTrue();
    // An event stream's kernel may still hold 64 KiB of what it answered for: 36 s at 2 KB/s. A
    // log of throttled event-stream clients among 5,000 showed 273 dropped at 10 s, each having
    // read 56-74 KB in those 10 s (2026-12-04).
    assertThat(eventStream.stuck(writeWait, 11_000 * MS)).isFalse();
    assertThat(eventStream.stuck(writeWait, 37_000 * MS)).isTrue();
  }

  /** Fills the window ten times over, each half of it answered 1 ms after it was asked for. */
  private static SendWindow promptlyAnswered(SendWindow w) {
    w.start(0);
    long now = 0;
    for (int i = 0; i < 20; i++) {
      while (w.inFlight() < w.window() / 2) {
        w.sent(MESSAGE, now);
      }
      long token = w.request(now);
      now += MS;
      assertThat(w.acknowledged(token, now, now, MS, 0)).isTrue();
    }
    return w;
  }

  @Test
  void withoutATargetTimeTheWindowStaysFixed() {
    Outcome o = simulate(16 * 1024, 0, 2_000, 20, 30);
    assertThat(o.window().window()).isEqualTo(16 * 1024);
    assertThat(o.maxInFlight()).isLessThan(16 * 1024 + MESSAGE);
  }

  @Test
  void whatIsInFlightNeverExceedsTheWindowByMoreThanOneMessage() {
    Outcome o = simulate(8 * 1024, 250, 1_000_000, 5, 10);
    assertThat(o.maxInFlight()).isLessThan(8 * 1024 + MESSAGE);
  }

  @Test
  void aWindowShutByTheServersOwnBacklogReopensOnlyOnceHalfOfItIsWritten() {
    SendWindow w = new SendWindow(8 * 1024, 0);
    w.start(0);
    while (w.isOpen()) {
      w.sent(MESSAGE, 0);
      w.written(0); // the server's selector writes nothing yet
    }
    assertThat(w.shutByServer()).isTrue();
    assertThat(w.unwritten()).isGreaterThanOrEqualTo(8 * 1024);
    // A message's worth written: still shut, so that it is not refilled one message at a time.
    w.written(MESSAGE);
    assertThat(w.isOpen()).isFalse();
    assertThat(w.fits(MESSAGE)).isFalse();
    // Half the window left unwritten: open again, for a round at once.
    w.written(w.sent() - 4 * 1024);
    assertThat(w.isOpen()).isTrue();
    assertThat(w.fits(2 * 1024)).isTrue();
  }

  @Test
  void acknowledgementsMatchTheirRequestsAndIgnoreStrangers() {
    SendWindow w = new SendWindow(8192, 250 * MS);
    w.start(0);
    w.sent(1000, 0);
    long first = w.request(0);
    w.sent(1000, MS);
    long second = w.request(MS);
    assertThat(w.acknowledged(second + 1, 2 * MS)).as("a token never sent").isFalse();
    assertThat(w.inFlight()).isEqualTo(2000);
    assertThat(w.acknowledged(Connection.UNKNOWN_TOKEN, 2 * MS))
        .as("a pong without our payload: the oldest")
        .isTrue();
    assertThat(w.inFlight()).isEqualTo(1000);
    assertThat(w.acknowledged(first, 3 * MS)).as("already acknowledged").isFalse();
    assertThat(w.acknowledged(second, 3 * MS)).isTrue();
    assertThat(w.inFlight()).isZero();
    assertThat(w.outstanding()).isZero();
    assertThat(w.acknowledged(Connection.UNKNOWN_TOKEN, 4 * MS)).as("unsolicited").isFalse();
  }

  @Test
  void manyOutstandingRequestsAreKeptInOrder() {
    SendWindow w = new SendWindow(1 << 20, 0);
    w.start(0);
    long[] tokens = new long[100];
    for (int i = 0; i < 100; i++) {
      w.sent(100, i);
      tokens[i] = w.request(i);
    }
    assertThat(w.outstanding()).isEqualTo(100);
    assertThat(w.acknowledged(tokens[49], 200)).isTrue();
    assertThat(w.inFlight()).isEqualTo(5000);
    assertThat(w.oldestRequestAt()).isEqualTo(50);
    assertThat(w.acknowledged(tokens[99], 300)).isTrue();
    assertThat(w.inFlight()).isZero();
  }
}
