package org.arithmospora.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.arithmospora.core.wire.EncodedMessage;
import org.arithmospora.core.wire.WireFormat;

/**
 * One message on its way to clients: the encoded message, what a newer one replaces it by, and the
 * framings transports made of it. A message is framed once per kind of transport, however many
 * clients receive it: the first {@link #framed} call of a framing builds it, the others get the
 * same object. Thread-safe.
 */
public final class OutboundMessage {
  private final EncodedMessage message;
  private final String key;
  private final int statIndex;
  private final long sequence;
  // When the hub had a stat's data from its source; null for other messages.
  private final Instant asOf;
  // Protocol 2's form of a stat message, made on first use and shared by every such client.
  private volatile OutboundMessage protocol2;
  // Protocol 2: the payload's version and tree, and the deltas from older versions, by their
  // sequence. Made on first use; a delta once per base, whatever the number of clients.
  private volatile String version;
  private volatile JsonNode tree;
  private final Map<Long, OutboundMessage> deltas = new ConcurrentHashMap<>();
  // Protocol 2: the data point this message is the subtree of ("PG/T"), or null for a whole stat;
  // and the subtrees made of this one, by path (NONE where the path is not in this version).
  private final String path;
  private final Map<String, OutboundMessage> subtrees = new ConcurrentHashMap<>();
  private static final OutboundMessage NONE =
      new OutboundMessage(WireFormat.message("none", "null"), "none", -1);

  /** The most bases a message keeps deltas from: a client further behind gets a full copy. */
  static final int MAX_DELTAS = 4;

  private final Framings framings = new Framings();

  OutboundMessage(EncodedMessage message, String key, int statIndex) {
    this(message, key, statIndex, null, message.sequence());
  }

  OutboundMessage(EncodedMessage message, String key, int statIndex, Instant asOf) {
    this(message, key, statIndex, asOf, message.sequence());
  }

  private OutboundMessage(
      EncodedMessage message, String key, int statIndex, Instant asOf, long sequence) {
    this(message, key, statIndex, asOf, sequence, null);
  }

  private OutboundMessage(
      EncodedMessage message, String key, int statIndex, Instant asOf, long sequence, String path) {
    this.message = Objects.requireNonNull(message);
    this.key = Objects.requireNonNull(key);
    this.statIndex = statIndex;
    this.asOf = asOf;
    this.sequence = sequence;
    this.path = path;
  }

  /** Protocol 2: the data point path this message is the subtree of, or null. */
  String path() {
    return path;
  }

  /**
   * Protocol 2: the subtree of this stat message at data point {@code path} ("PG/T": the data point
   * T of PG) as a message of its own, event {@code <event>/<path>}; null when this version has no
   * such data point. Made once per version and path, shared by every client.
   */
  OutboundMessage subtree(String path) {
    if (asOf == null || this.path != null) {
      return null;
    }
    OutboundMessage found = subtrees.computeIfAbsent(path, this::makeSubtree);
    return found == NONE ? null : found;
  }

  private OutboundMessage makeSubtree(String path) {
    JsonNode node = tree();
    int from = 0;
    while (true) {
      int to = path.indexOf('/', from);
      String part = path.substring(from, to < 0 ? path.length() : to);
      node = node.path("dataPoints").path(part);
      if (!node.isObject()) {
        return NONE;
      }
      if (to < 0) {
        break;
      }
      from = to + 1;
    }
    EncodedMessage sub = WireFormat.message(message.event() + "/" + path, node.toString());
    return new OutboundMessage(sub, key + "/" + path, statIndex, asOf, sequence, path);
  }

  /**
   * As protocol-2 clients receive it: a stat message with its version and {@code asOf} beside the
   * same payload, built once and shared; any other message as it is.
   */
  OutboundMessage forProtocol2() {
    if (asOf == null) {
      return this;
    }
    OutboundMessage p = protocol2;
    if (p == null) {
      // Two threads may build it at once; either copy is the same bytes.
      p =
          new OutboundMessage(
              WireFormat.versioned(message, asOf), key, statIndex, null, sequence, path);
      protocol2 = p;
    }
    return p;
  }

  /** The encoded message. */
  public EncodedMessage message() {
    return message;
  }

  /** The event name, e.g. {@code stats:proportion:total}. */
  public String event() {
    return message.event();
  }

  /**
   * What a newer message replaces this one by when a client has not received it yet: the event for
   * a stat, something unique for a milestone, which is never replaced.
   */
  public String key() {
    return key;
  }

  /** Protocol 2: the version of a stat message (see {@link WireFormat#version}). */
  String version() {
    String v = version;
    if (v == null) {
      v = WireFormat.version(message);
      version = v;
    }
    return v;
  }

  private JsonNode tree() {
    JsonNode t = tree;
    if (t == null) {
      try {
        t = MergePatch.JSON.readTree(StandardCharsets.UTF_8.decode(message.payload()).toString());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a payload this server encoded does not parse", e);
      }
      tree = t;
    }
    return t;
  }

  /**
   * Protocol 2: this stat message for a client that holds {@code base}, an older version of the
   * same stat: a delta against it when that is smaller than the whole, else the whole. A delta is
   * made once per base and shared; {@code made} counts those made.
   */
  OutboundMessage forClientHolding(OutboundMessage base, AtomicLong made) {
    OutboundMessage whole = forProtocol2();
    if (base == null || asOf == null || base.sequence() >= sequence) {
      return whole;
    }
    OutboundMessage d = deltas.get(base.sequence());
    if (d != null) {
      return d;
    }
    if (deltas.size() >= MAX_DELTAS) {
      return whole;
    }
    ObjectNode patch = MergePatch.diff(base.tree(), tree());
    d = whole;
    if (patch != null) {
      EncodedMessage delta = WireFormat.delta(message, base.version(), asOf, patch.toString());
      if (delta.size() < whole.message.size()) {
        d = new OutboundMessage(delta, key, statIndex, null, sequence, path);
        made.incrementAndGet();
      }
    }
    OutboundMessage raced = deltas.putIfAbsent(base.sequence(), d);
    return raced != null ? raced : d;
  }

  /** The order in which messages were made. */
  public long sequence() {
    return sequence;
  }

  /** The stat's position in its source (0 for the first), or -1 for other messages. */
  int statIndex() {
    return statIndex;
  }

  /**
   * This message framed by {@code framing}: built on the first call with that framing (compared by
   * identity, so pass the same constant every time), shared by every later call.
   */
  @SuppressWarnings("unchecked") // what Framings holds under a framing is what it framed
  public <T> T framed(Function<EncodedMessage, T> framing) {
    T found = (T) framings.find(framing);
    if (found != null) {
      return found;
    }
    synchronized (this) {
      found = (T) framings.find(framing);
      return found != null ? found : framings.keep(framing, framing.apply(message));
    }
  }

  @Override
  public String toString() {
    return message.toString();
  }
}
