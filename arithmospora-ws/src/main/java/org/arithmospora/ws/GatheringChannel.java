package org.arithmospora.ws;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;

/**
 * A plain socket that writes a connection's queued frames with one gathering write.
 *
 * <p>Java-WebSocket's selector thread, which does every socket write, writes a connection's queued
 * buffers one system call each. Profiling 10,000 clients showed that thread saturated by those
 * calls. When it asks this channel to write the first queued buffer, the channel writes as many of
 * the queued buffers as it can in one {@code writev}; the library then finds the next ones already
 * written and moves on without a system call. The frames stay shared: nothing is copied. Only the
 * selector thread calls it.
 */
final class GatheringChannel extends UnbufferedChannel {
  private static final int MAX_BUFFERS = 64;

  private final SocketChannel channel;
  private final WebSocketImpl connection;
  private final SelectedKeySweeper sweeper;
  private final ByteBuffer[] batch = new ByteBuffer[MAX_BUFFERS];
  private final int[] remainingBefore = new int[MAX_BUFFERS];
  private final PongFilter pongs;
  // Until its header has ended, the request is bounded (see Admissions); until the handshake's
  // answer has been written, a refusal's status replaces the library's 404.
  private Admission readingHeader;
  private Admission answering;

  GatheringChannel(
      SocketChannel channel,
      WebSocketImpl connection,
      SelectedKeySweeper sweeper,
      Admission admission) {
    this.channel = channel;
    this.connection = connection;
    this.sweeper = sweeper;
    this.readingHeader = admission;
    this.answering = admission;
    this.pongs =
        new PongFilter(
            token -> {
              // A pong answers a ping, and pings are sent only once the connection is open.
              if (connection.getAttachment() instanceof WebSocketTransport t) {
                t.pong(token, sweeper.arrivedNoEarlierThan());
              }
            });
  }

  @Override
  @SuppressWarnings("ReferenceEquality") // the very buffer being written, not one equal to it
  public int write(ByteBuffer src) throws IOException {
    if (!src.hasRemaining()) {
      return 0;
    }
    sweeper.roundActivity();
    if (answering != null) {
      int replaced = Handshakes.answer(answering, src, channel::write);
      answering = null;
      if (replaced >= 0) {
        // The library would wait for the client to close a refused connection; close it.
        if (!sweeper.closeAfterRound(connection)) {
          channel.close();
        }
        return replaced;
      }
    }
    int n = 0;
    batch[n++] = src;
    // The queue's iterator is weakly consistent: safe while the hub appends.
    for (ByteBuffer queued : connection.outQueue) {
      if (n == MAX_BUFFERS) {
        break;
      }
      if (queued != src && queued.hasRemaining()) {
        batch[n++] = queued;
      }
    }
    for (int i = 0; i < n; i++) {
      remainingBefore[i] = batch[i].remaining();
    }
    if (n == 1) {
      channel.write(src);
    } else {
      channel.write(batch, 0, n);
    }
    noteWritten(n);
    if (n < MAX_BUFFERS && !batch[n - 1].hasRemaining()) {
      // Everything queued when the batch was made is written: the library will find the queue
      // empty and turn write interest off.
      sweeper.emptied(connection);
    }
    java.util.Arrays.fill(batch, 0, n, null);
    return remainingBefore[0] - src.remaining();
  }

  /**
   * Nothing is buffered here; the library asks this only when it found the connection's queue
   * empty, just before it turns write interest off: the end of the round checks that nothing was
   * queued in between ({@link SelectedKeySweeper#emptied}).
   */
  @Override
  public boolean isNeedWrite() {
    sweeper.emptied(connection);
    return false;
  }

  /**
   * Reads, taking complete pongs out on the way (see {@link PongFilter}). A read that held only
   * pongs reports nothing read: the library then has nothing to decode, and the round needs no
   * sweep of its selected keys.
   */
  /**
   * Tells the transport what just left: how many bytes of its messages (so that the hub can tell
   * the client's share of the window from the server's own backlog), and when each of its pings
   * went (so that round trips start there). Each buffer in the batch had bytes left before.
   */
  private void noteWritten(int n) {
    if (!(connection.getAttachment() instanceof WebSocketTransport t)) {
      return;
    }
    long messageBytes = 0;
    long now = 0;
    for (int i = 0; i < n; i++) {
      ByteBuffer b = batch[i];
      int wrote = remainingBefore[i] - b.remaining();
      if (wrote == 0) {
        break; // the socket took no more: nothing after this one was written either
      }
      if (WebSocketTransport.isMessage(b)) {
        messageBytes += wrote;
      } else if (!b.hasRemaining() && WebSocketTransport.isPing(b)) {
        now = now == 0 ? System.nanoTime() : now;
        t.pingWritten(b, now);
      }
    }
    if (messageBytes > 0) {
      t.wrote(messageBytes);
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    sweeper.roundActivity();
    int start = dst.position();
    int n = channel.read(dst);
    if (n < 0) {
      // End of stream: closed after this round, not in it (see SelectedKeySweeper#closeAfterRound).
      sweeper.request();
      return sweeper.closeAfterRound(connection) ? 0 : n;
    }
    if (readingHeader != null && n > 0) {
      int header = Handshakes.read(readingHeader, dst, start, n, channel::write);
      if (header < 0) {
        dst.position(start);
        sweeper.request();
        return sweeper.closeAfterRound(connection) ? 0 : -1;
      }
      if (header > 0) {
        readingHeader = null;
      }
    }
    // The filter sees every byte, the request's included: it finds where frames begin by itself.
    // Given only what followed the request, it waited for the request's end forever and let every
    // pong through to the library (from 2026-12-02 to 12-04).
    if (n > 0 && dst.hasArray()) {
      n = pongs.filter(dst.array(), dst.arrayOffset() + start, n);
      dst.position(start + n);
    }
    if (n == 0) {
      // Nothing for the library (only pongs, or nothing at all): it leaves the key selected, and
      // would read it again every round.
      sweeper.forget(connection.getSelectionKey());
      return 0;
    }
    sweeper.request();
    return n;
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  @Override
  public boolean isBlocking() {
    return channel.isBlocking();
  }

  /** Makes plain connections use a {@link GatheringChannel} and the server's draft. */
  static final class Factory implements WebSocketServerFactory {
    private final SelectedKeySweeper sweeper;
    private final Admissions admissions;
    private final ServerDraft draft;

    Factory(ServerDraft draft, Admissions admissions, SelectedKeySweeper sweeper) {
      this.draft = draft;
      this.admissions = admissions;
      this.sweeper = sweeper;
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter a, Draft d) {
      return Handshakes.newConnection(a, draft, admissions);
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter a, List<Draft> ignored) {
      return Handshakes.newConnection(a, draft, admissions);
    }

    @Override
    public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) {
      WebSocketImpl connection = (WebSocketImpl) key.attachment();
      return new GatheringChannel(
          channel, connection, sweeper, Handshakes.accepted(connection, channel, admissions));
    }

    @Override
    public void close() {
      // Nothing held.
    }
  }
}
