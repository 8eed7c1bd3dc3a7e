package org.arithmospora.hub;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.arithmospora.core.wire.EncodedMessage;
import org.arithmospora.core.wire.WireFormat;

/**
 * Protocol 2 for the hub's clients that opt in (docs/protocol.md): hello, subscriptions to stats
 * and data points' subtrees, resume, and the form each message takes for such a client (whole or a
 * delta against what it holds). Flow control, conflation and fan-out stay the hub's; this decides
 * what a protocol-2 client receives, and as what. The hub's thread only.
 */
final class Protocol2 {
  /** What protocol 2 offers, in the {@code hello} answer. */
  static final List<String> FEATURES =
      List.of("subscribe", "maxRate", "versions", "deltas", "resume", "batch", "milestones");

  private final Hub hub;
  private final OutboundMessage hello2 =
      new OutboundMessage(WireFormat.hello(2, FEATURES), WireFormat.HELLO, -1);
  private final AtomicLong deltasMade = new AtomicLong();
  private final AtomicLong deltasSent = new AtomicLong();

  Protocol2(Hub hub) {
    this.hub = hub;
  }

  long deltasMade() {
    return deltasMade.get();
  }

  long deltasSent() {
    return deltasSent.get();
  }

  /** Acts on what a client said; the hub's thread. */
  void act(Connection c, ClientMessage m) {
    if (c.closed) {
      return;
    }
    long now = hub.nanoTime();
    if (m instanceof ClientMessage.Hello h) {
      hello(c, h, now);
    } else if (c.protocol < 2) {
      // Protocol 1: whatever else a client sends is ignored, as the Go program ignored it.
      return;
    } else if (m instanceof ClientMessage.Subscribe s) {
      subscribe(c, s, now);
    } else if (m instanceof ClientMessage.Unsubscribe u) {
      unsubscribe(c, u, now);
    } else if (m instanceof ClientMessage.Resume r) {
      resume(c, r, now);
    } else if (m instanceof ClientMessage.Invalid i) {
      tell(c, i.code(), i.message(), i.subject(), now);
    }
  }

  /**
   * Protocol 2 from now on: the answer, {@code available} again and the milestones met so far. It
   * starts subscribed to nothing; what it was to get of protocol 1 and has not yet is let go.
   */
  private void hello(Connection c, ClientMessage.Hello h, long now) {
    if (h.protocol() != 2) {
      tell(
          c,
          "unsupported_protocol",
          "this server speaks protocols 1 and 2; say hello with 2, or nothing for 1",
          String.valueOf(h.protocol()),
          now);
      return;
    }
    if (c.protocol != 2) {
      c.protocol = 2;
      c.subscribed = new boolean[c.channel.statCount()];
      c.pending.removeIf(p -> p.statIndex() >= 0);
      hub.countWaiting(c);
    }
    hub.offer(c, hello2, now);
    hub.offer(c, c.channel.available, now);
    hub.offer(c, c.channel.milestonesSoFar(), now);
  }

  private void subscribe(Connection c, ClientMessage.Subscribe s, long now) {
    for (View v : resolve(c, s.stats(), now)) {
      int i = v.stat();
      if (s.maxRate() > 0) {
        if (c.statIntervalNanos == null) {
          c.statIntervalNanos = new long[c.channel.statCount()];
        }
        c.statIntervalNanos[i] = (long) (1e9 / s.maxRate());
        if (c.nextAllowed == null) {
          c.nextAllowed = new long[c.channel.statCount()];
          Arrays.fill(c.nextAllowed, now);
        }
      }
      boolean added;
      if (v.path() == null) {
        added = !c.subscribed[i];
        c.subscribed[i] = true;
      } else {
        added = c.subtrees.computeIfAbsent(i, k -> new LinkedHashSet<>()).add(v.path());
      }
      // Its snapshot is what it newly subscribed to; before the snapshot is due, that sends it.
      OutboundMessage current = c.channel.current[i];
      if (added && c.snapshotSent && current != null) {
        OutboundMessage m = v.path() == null ? current : current.subtree(v.path());
        if (m != null && stillNeeds(c, m)) {
          hub.offer(c, m, now);
        }
      }
    }
  }

  /**
   * A client back from another connection, to this server or another on the same store, says which
   * versions it holds: a stat it holds the current version of is not sent again, one whose version
   * this server still has gets a delta, any other the whole. Used as it subscribes.
   */
  private void resume(Connection c, ClientMessage.Resume r, long now) {
    for (Map.Entry<String, String> e : r.versions().entrySet()) {
      List<View> views = resolve(c, List.of(e.getKey()), now);
      if (!views.isEmpty() && !e.getKey().equals("*")) {
        c.claimed.put("stats:" + e.getKey(), e.getValue());
      }
    }
  }

  /**
   * Protocol 2: whether {@code c} still needs {@code m}, given what it said it holds (resume):
   * false when it holds this very version. Otherwise, where this server still has the version it
   * holds, that is what the delta is made against.
   */
  boolean stillNeeds(Connection c, OutboundMessage m) {
    String version = m.statIndex() < 0 ? null : c.claimed.remove(m.key());
    if (version == null) {
      return true;
    }
    if (version.equals(m.version())) {
      c.held.put(m.key(), m);
      return false;
    }
    OutboundMessage base = c.channel.recent(m.statIndex(), m.path(), version);
    if (base != null) {
      c.held.put(m.key(), base);
    }
    return true;
  }

  private void unsubscribe(Connection c, ClientMessage.Unsubscribe u, long now) {
    for (View v : resolve(c, u.stats(), now)) {
      int i = v.stat();
      String key;
      if (v.path() == null) {
        c.subscribed[i] = false;
        key = c.channel.eventName(i);
      } else {
        Set<String> paths = c.subtrees.get(i);
        if (paths != null) {
          paths.remove(v.path());
        }
        key = c.channel.eventName(i) + "/" + v.path();
      }
      // Subscribed again, it gets a whole copy.
      c.held.remove(key);
      boolean anyLeft = c.subscribed[i] || !c.subtrees.getOrDefault(i, Set.of()).isEmpty();
      if (c.statIntervalNanos != null && !anyLeft) {
        c.statIntervalNanos[i] = 0;
      }
      c.pending.remove(key);
    }
    hub.countWaiting(c);
  }

  /** A stat, or the subtree of one of its data points ({@code path} "PG/T"), null for the whole. */
  private record View(int stat, String path) {}

  /**
   * What {@code names} name ({@code "*"}: every stat, {@code group:key}, or {@code group:key/dp/dp}
   * for a data point's subtree); each unknown one told to the client.
   */
  private List<View> resolve(Connection c, List<String> names, long now) {
    List<View> found = new ArrayList<>();
    for (String name : names) {
      if (name.equals("*")) {
        for (int i = 0; i < c.channel.statCount(); i++) {
          found.add(new View(i, null));
        }
        continue;
      }
      int slash = name.indexOf('/');
      String stat = slash < 0 ? name : name.substring(0, slash);
      String path = slash < 0 ? null : name.substring(slash + 1);
      Integer index = c.channel.statIndex("stats:" + stat);
      if (index == null) {
        tell(
            c,
            "unknown_stat",
            "source '" + c.sourceName() + "' has no stat '" + stat + "' (names are group:key)",
            name,
            now);
        continue;
      }
      OutboundMessage current = c.channel.current[index];
      if (path != null && (path.isEmpty() || (current != null && current.subtree(path) == null))) {
        tell(
            c,
            "unknown_stat",
            "stat '"
                + stat
                + "' has no data point '"
                + path
                + "' (paths are dp/dp, as in its tree)",
            name,
            now);
        continue;
      }
      found.add(new View(index, path));
    }
    return found;
  }

  /**
   * What of stat message {@code m} client {@code c} receives: the whole if it subscribed to it, and
   * the subtree of each data point it subscribed to; for protocol 1, and for other messages, the
   * message itself.
   */
  static List<OutboundMessage> forClient(Connection c, OutboundMessage m) {
    int i = m.statIndex();
    if (c.subscribed == null || i < 0) {
      return List.of(m);
    }
    Set<String> paths = c.subtrees.get(i);
    if (paths == null || paths.isEmpty()) {
      return c.subscribed[i] ? List.of(m) : List.of();
    }
    List<OutboundMessage> out = new ArrayList<>(paths.size() + 1);
    if (c.subscribed[i]) {
      out.add(m);
    }
    for (String path : paths) {
      OutboundMessage sub = m.subtree(path);
      // A change elsewhere in the stat leaves this subtree as it was: nothing to send.
      OutboundMessage held = c.held.get(sub == null ? null : sub.key());
      if (sub != null && (held == null || !held.version().equals(sub.version()))) {
        out.add(sub);
      }
    }
    return out;
  }

  /**
   * A message as a protocol-2 client gets it: a stat as a delta against the version it holds where
   * one can be made, else whole; the version it then holds is the message's.
   */
  OutboundMessage wire(Connection c, OutboundMessage m) {
    int i = m.statIndex();
    if (i < 0) {
      return m.forProtocol2();
    }
    OutboundMessage wire = m.forClientHolding(c.held.get(m.key()), deltasMade);
    if (wire != m.forProtocol2()) {
      deltasSent.incrementAndGet();
    }
    c.held.put(m.key(), m);
    return wire;
  }

  /** An {@code error} for this client alone: encoded for it, since it is about what it sent. */
  private void tell(Connection c, String code, String message, String subject, long now) {
    EncodedMessage e = WireFormat.error(code, message, subject);
    hub.offer(c, new OutboundMessage(e, "error#" + e.sequence(), -1), now);
  }
}
