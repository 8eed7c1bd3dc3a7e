package org.arithmospora.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.junit.jupiter.api.Test;

/** How the sweeper bounds when what a round reads arrived, on a clock of the test's. */
class SelectedKeySweeperTest {
  private long now = Duration.ofHours(1).toNanos();
  private final SelectedKeySweeper sweeper =
      new SelectedKeySweeper(new NeverStarted(), List.of(new Draft_6455()), () -> now);

  @Test
  void whatABusySelectorReadsArrivedNoEarlierThanTheStartOfTheRoundBefore() {
    long firstRound = now;
    sweeper.roundActivity();
    advance(200);
    sweeper.roundEnded();
    advance(0.1); // the next select found keys ready at once
    sweeper.roundActivity();
    advance(150); // writing to thousands of connections before this one's read
    assertThat(sweeper.arrivedNoEarlierThan()).isEqualTo(firstRound);
  }

  @Test
  void whatASelectorWokenByItReadsArrivedJustBeforeTheRoundBegan() {
    sweeper.roundActivity();
    advance(5);
    sweeper.roundEnded();
    advance(500); // waiting in select until data came
    long woken = now;
    sweeper.roundActivity();
    advance(20);
    assertThat(sweeper.arrivedNoEarlierThan()).isEqualTo(woken);
  }

  @Test
  void outsideARoundWhatIsReadArrivedNow() {
    sweeper.roundActivity();
    advance(200);
    sweeper.roundEnded();
    advance(1);
    assertThat(sweeper.arrivedNoEarlierThan()).isEqualTo(now);
  }

  private void advance(double millis) {
    now += (long) (millis * 1_000_000);
  }

  /** A server whose fields the sweeper reads; it never listens. */
  private static final class NeverStarted extends WebSocketServer {
    NeverStarted() {
      super(new InetSocketAddress(0));
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {}

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {}

    @Override
    public void onMessage(WebSocket conn, String message) {}

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {}

    @Override
    public void onError(WebSocket conn, Exception ex) {}

    @Override
    public void onStart() {}
  }
}
