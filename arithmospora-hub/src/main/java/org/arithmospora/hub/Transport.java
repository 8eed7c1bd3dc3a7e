package org.arithmospora.hub;

/**
 * One client's connection as the hub sees it: somewhere to put messages, a way to learn what the
 * client has consumed, and a way to end it. A transport (websocket, server-sent events, a test
 * double) implements it and calls the {@link Connection} that {@link Hub#connect} gave it back when
 * the client acknowledges, speaks or leaves.
 *
 * <p>The hub calls every method on its own thread, one at a time, in order; a transport need not be
 * thread-safe towards the hub, but does its writing on threads of its own, so that no method here
 * blocks. The hub never hands over more than the client's send window, so what a transport holds
 * for one client is bounded by the hub.
 */
public interface Transport {

  /**
   * Queues a message to be written after those queued before. Nothing need be written until {@link
   * #flush()}.
   *
   * @return the bytes the message takes on the wire, framing included (uncompressed, for a
   *     transport that compresses: the client's work): what counts against the client's send window
   *     until it is acknowledged, in the unit {@link #bytesWritten()} reports
   */
  int send(OutboundMessage message);

  /**
   * Queues the messages of {@code round} to be written one after the other, as if each were given
   * to {@link #send(OutboundMessage)} in turn. The hub hands the same round to every client that
   * takes it whole, so a transport can build its wire form once for all of them ({@link
   * OutboundRound#framed}) and queue one piece per client rather than one per message. The default
   * sends each message.
   *
   * @return the bytes the messages take on the wire, framing included, as {@link #send} counts them
   */
  default int sendRound(OutboundRound round) {
    int bytes = 0;
    for (OutboundMessage m : round.messages()) {
      bytes += send(m);
    }
    return bytes;
  }

  /**
   * Asks the client to confirm once it has consumed everything sent before this call, by a call to
   * {@link Connection#acknowledged(long)} (or {@link Connection#acknowledged(long, long, long)},
   * with the round trip and the write delay the transport timed) with {@code token}. Queued like a
   * message: the request leaves after what was sent before it. Tokens increase; acknowledging one
   * acknowledges every earlier one. Websocket transports send a ping whose payload is the token;
   * clients echo it in their pong (RFC 6455 §5.5.3) without any code of theirs.
   */
  void requestAck(long token);

  /**
   * How far an acknowledgement may run ahead of the client's reading, in bytes: 0 (the default)
   * when it says the client has read what was sent before the request, as a websocket's pong does;
   * for an event stream, which can tell only that bytes left for the network, what the kernel may
   * hold for the client beyond that. Such answers do not grow a window for being prompt (the kernel
   * takes bytes at once while it has room, however slowly the client reads), and a client is given
   * the time to read this much more before it counts as stuck.
   */
  default long acknowledgedAheadOfReading() {
    return 0;
  }

  /**
   * Says that with what was sent so far the client has been handed the newest version of every stat
   * of its source, up to and including {@code sequence}: a client that comes back holding it needs
   * only what is newer ({@link Hub#connect(String, Transport, long)}). Queued like a message.
   * Transports that can resume write it down (server-sent events as an {@code id}); the default
   * ignores it.
   */
  default void caughtUp(long sequence) {}

  /** Starts writing whatever was queued since the last flush. Does not wait for it. */
  void flush();

  /**
   * How many of the bytes {@link #send} was given it has written to the network so far, or -1 if it
   * cannot tell (the default). The hub then keeps two bounds apart: what is written and not yet
   * acknowledged is the client's, and sizes its window; what is not yet written is the server's own
   * backlog, which waits for the server, not the client. Any thread.
   */
  default long bytesWritten() {
    return -1;
  }

  /** Ends the connection in order, telling the client {@code code} and {@code reason}. */
  void close(int code, String reason);

  /** Ends the connection at once, without telling the client anything: it is not listening. */
  void abort(String reason);

  /** The client, for logs: its remote address, typically. */
  String describe();
}
