package org.arithmospora.ws;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.arithmospora.core.wire.EncodedMessage;
import org.arithmospora.hub.Connection;
import org.arithmospora.hub.OutboundMessage;
import org.arithmospora.hub.OutboundRound;
import org.arithmospora.hub.Transport;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;

/**
 * One Java-WebSocket connection as a hub {@link Transport}. Messages go straight into the
 * connection's outgoing queue as shared views of frames built once per message; requests for
 * acknowledgement are pings whose 8-byte payload is the token, which every client echoes in its
 * pong (RFC 6455 §5.5.3; browsers do it themselves). The hub calls it on its thread; the selector
 * thread writes.
 */
final class WebSocketTransport implements Transport {
  /** How a message becomes a websocket frame: one per message, shared by every connection. */
  static final Function<EncodedMessage, Frame> FRAMING = Frame::of;

  /** The framing for clients that took permessage-deflate: compressed once, for all of them. */
  static final Function<EncodedMessage, Frame> DEFLATED_FRAMING = Frame::deflated;

  private static final int PING_PAYLOAD = Long.BYTES;

  private final WebSocketImpl conn;
  private final Consumer<WebSocketImpl> writeDemand;
  private final String remote;
  // Whether the client took permessage-deflate at its handshake.
  private final boolean deflates;
  private volatile Connection connection;

  /** One writer (the selector thread), any readers: a plain add published with release order. */
  private final AtomicLong written = new AtomicLong();

  // One writer (the hub's thread), as above: message bytes handed over as they go on the wire,
  // and as counted against the window.
  private final AtomicLong wireHandedOver = new AtomicLong();
  private final AtomicLong countedHandedOver = new AtomicLong();

  // When the last few pings were queued and left for the network, by token: the round trip counts
  // from their leaving, and a long wait before it shows the server, not the client, was slow.
  private final long[] pingTokens = new long[8];
  private final long[] pingQueuedAt = new long[8];
  private final long[] pingWrittenAt = new long[8];
  private int pingNext;

  /**
   * @param writeDemand tells the connection's selector that it has frames to write
   */
  WebSocketTransport(WebSocketImpl conn, Consumer<WebSocketImpl> writeDemand) {
    this.conn = conn;
    this.writeDemand = writeDemand;
    this.remote = String.valueOf(conn.getRemoteSocketAddress());
    this.deflates = conn.getDraft() instanceof ServerDraft d && d.deflates();
  }

  /** Attaches the hub's handle, once {@link org.arithmospora.hub.Hub#connect} returned it. */
  void attach(Connection c) {
    this.connection = c;
  }

  Connection connection() {
    return connection;
  }

  /**
   * Queues the message's frame. What counts against the client's window is the frame's size
   * uncompressed, even when it goes compressed: a client's work is the messages it inflates and
   * reads, and the window's bounds (a few messages at least, a snapshot to start with) are meant in
   * those. Counted compressed, the same window held four times the messages, and a client that is
   * slow per message (5,000 Node.js clients inflating in one process read 450 compressed bytes a
   * second each) had seconds of them on its way.
   */
  @Override
  public int send(OutboundMessage message) {
    Frame frame = message.framed(deflates ? DEFLATED_FRAMING : FRAMING);
    queueIfOpen(frame.forClient());
    return handedOver(frame);
  }

  /** The round's frames side by side in one buffer, built once for every client that takes it. */
  @Override
  public int sendRound(OutboundRound round) {
    Frame frames = round.framed(deflates ? DEFLATED_FRAMING : FRAMING, Frame::join);
    queueIfOpen(frames.forClient());
    return handedOver(frames);
  }

  /**
   * Queues {@code frame} unless the connection has begun to close. The library queues its close
   * frame and leaves the open state under the connection's own lock, so testing and adding under
   * that lock never puts a message after a close frame, which RFC 6455 §5.5.1 forbids; tested
   * without it, the hub's thread could add one while a worker closed the connection.
   */
  private void queueIfOpen(ByteBuffer frame) {
    synchronized (conn) {
      if (conn.isOpen()) {
        conn.outQueue.add(frame);
      }
    }
  }

  /**
   * Keeps the totals {@link #bytesWritten()} converts with; returns what counts against the window:
   * the frame's size uncompressed (its size, for a frame sent as it is), known when it was framed.
   */
  private int handedOver(Frame frame) {
    int counted = frame.uncompressedSize();
    wireHandedOver.setRelease(wireHandedOver.getPlain() + frame.size());
    countedHandedOver.setRelease(countedHandedOver.getPlain() + counted);
    return counted;
  }

  @Override
  public void requestAck(long token) {
    ByteBuffer ping = ByteBuffer.allocate(2 + PING_PAYLOAD);
    ping.put((byte) 0x89).put((byte) PING_PAYLOAD).putLong(token).flip(); // FIN + ping, unmasked
    if (conn.isOpen()) {
      pingQueued(token, System.nanoTime());
      queueIfOpen(ping);
    }
  }

  private synchronized void pingQueued(long token, long nanoTime) {
    pingTokens[pingNext] = token;
    pingQueuedAt[pingNext] = nanoTime;
    pingWrittenAt[pingNext] = -1;
    pingNext = (pingNext + 1) % pingTokens.length;
  }

  @Override
  public void flush() {
    if (conn.isOpen()) {
      writeDemand.accept(conn);
    }
  }

  /**
   * Bytes of messages written to the socket so far, in the unit {@link #send} counts them: the
   * channel that writes counts wire bytes, and for a client that takes compressed frames they are
   * scaled by what was handed over uncompressed against on the wire. Exact once everything handed
   * over is written; in between, an estimate as good as compression is even.
   */
  @Override
  public long bytesWritten() {
    long wire = written.get();
    if (!deflates) {
      return wire;
    }
    long handed = wireHandedOver.getAcquire();
    long counted = countedHandedOver.getAcquire();
    if (wire >= handed) {
      return counted;
    }
    return handed == 0 ? 0 : (long) (wire * ((double) counted / handed));
  }

  /** {@code bytes} of messages were written to the socket; selector thread (the only writer). */
  void wrote(long bytes) {
    written.setRelease(written.getPlain() + bytes);
  }

  /**
   * Whether {@code b} is a message frame as {@link Frame} builds them: FIN + text, with RSV1 when
   * compressed. A compressed message not counted here would stay unwritten for the hub until its
   * acknowledgement, so the client's window would look shut by the server, never by the client.
   */
  static boolean isMessage(ByteBuffer b) {
    return b.limit() > 0 && (b.get(0) == (byte) 0x81 || b.get(0) == (byte) 0xC1);
  }

  /** Whether {@code b} is one of our pings: FIN + ping, an 8-byte payload. */
  static boolean isPing(ByteBuffer b) {
    return b.limit() == 2 + PING_PAYLOAD && b.get(0) == (byte) 0x89 && b.get(1) == PING_PAYLOAD;
  }

  /** The ping {@code b} has just been written to the socket; selector thread. */
  synchronized void pingWritten(ByteBuffer b, long nanoTime) {
    int i = slotOf(b.getLong(2));
    if (i >= 0) {
      pingWrittenAt[i] = nanoTime;
    }
  }

  private int slotOf(long token) {
    for (int i = 0; i < pingTokens.length; i++) {
      if (pingTokens[i] == token && token > 0) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void close(int code, String reason) {
    conn.close(code, reason);
  }

  @Override
  public void abort(String reason) {
    conn.closeConnection(CloseFrame.ABNORMAL_CLOSE, reason);
  }

  @Override
  public String describe() {
    return remote;
  }

  /** A pong arrived through the library: the client has read everything before its ping. */
  void pong(Framedata pong) {
    ByteBuffer payload = pong.getPayloadData();
    long token =
        payload.remaining() == PING_PAYLOAD
            ? payload.getLong(payload.position())
            : Connection.UNKNOWN_TOKEN;
    // Decoded on a worker thread, the library's own time after the read: timed as it is now.
    pong(token <= 0 ? Connection.UNKNOWN_TOKEN : token, System.nanoTime()); // ours start at 1
  }

  /**
   * A pong with this token was read, having reached the socket no earlier than {@code
   * arrivedNoEarlierThan} (see {@link SelectedKeySweeper#arrivedNoEarlierThan}); any thread. Its
   * round trip ends there, and the rest of the wait until now was the server's: neither counts
   * against the client.
   */
  void pong(long token, long arrivedNoEarlierThan) {
    Connection c = connection;
    if (c == null) {
      return;
    }
    long now = System.nanoTime();
    long arrived = Math.min(now, arrivedNoEarlierThan);
    long roundTrip = -1;
    long writeDelay = -1;
    synchronized (this) {
      int i = slotOf(token);
      if (i >= 0 && pingWrittenAt[i] >= 0) {
        // It cannot have come back before its ping left.
        arrived = Math.max(arrived, pingWrittenAt[i]);
        roundTrip = arrived - pingWrittenAt[i];
        writeDelay = Math.max(0, pingWrittenAt[i] - pingQueuedAt[i]);
      }
    }
    c.acknowledged(token, roundTrip, writeDelay, now - arrived);
  }

  /** The client sent a text message: to the hub, which acts on protocol 2's. */
  void received(String text) {
    Connection c = connection;
    if (c != null) {
      c.received(text);
    }
  }

  /** The client sent a message: a sign of life. */
  void heard() {
    Connection c = connection;
    if (c != null) {
      c.heard();
    }
  }

  /** The connection closed. */
  void closed() {
    Connection c = connection;
    if (c != null) {
      c.closed();
    }
  }
}
