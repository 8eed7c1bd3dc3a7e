package org.arithmospora.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.arithmospora.core.wire.EncodedMessage;

/**
 * The messages one update changed, on their way together to every client that keeps up: the hub
 * hands the same round to each of them ({@link Transport#sendRound}), so a transport can put them
 * on the wire as one piece built once, not as a message each per client. A client with messages
 * waiting, or a rate cap, gets the round's messages one by one instead, where conflation and the
 * cap apply. Thread-safe.
 */
public final class OutboundRound {
  private final List<OutboundMessage> messages;
  private final Framings framings = new Framings();
  private final int sizeAtMost;

  // A websocket frame's header is 2 to 10 bytes.
  private static final int FRAMING_AT_MOST = 10;

  OutboundRound(List<OutboundMessage> messages) {
    this.messages = List.copyOf(messages);
    int size = 0;
    for (OutboundMessage m : this.messages) {
      size += m.message().size() + FRAMING_AT_MOST;
    }
    this.sizeAtMost = size;
  }

  /**
   * The most the round takes as uncompressed websocket frames: each message with the largest header
   * (10 bytes). What the hub checks a client's window against before handing it the round; for an
   * event stream, whose framing repeats each event's name, it is an estimate.
   */
  public int sizeAtMost() {
    return sizeAtMost;
  }

  /** The round's messages, in the order they are to be written. */
  public List<OutboundMessage> messages() {
    return messages;
  }

  /**
   * The round as one piece: each message framed by {@code framing} (and so shared with every client
   * that gets it alone), then joined by {@code join}. Built on the first call with that framing
   * (compared by identity: pass the same constant, with the same join, every time), shared by every
   * later call.
   */
  @SuppressWarnings("unchecked") // what Framings holds under a framing is what it framed
  public <T> T framed(Function<EncodedMessage, T> framing, Function<List<T>, T> join) {
    T found = (T) framings.find(framing);
    if (found != null) {
      return found;
    }
    synchronized (this) {
      found = (T) framings.find(framing);
      if (found != null) {
        return found;
      }
      List<T> parts = new ArrayList<>(messages.size());
      for (OutboundMessage m : messages) {
        parts.add(m.framed(framing));
      }
      return framings.keep(framing, join.apply(parts));
    }
  }

  @Override
  public String toString() {
    return "round of " + messages;
  }
}
