package org.arithmospora.ws;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.enums.ReadyState;

/**
 * Connections between accept and upgrade: counted toward {@code max_connections} from their accept,
 * each request header bounded in size ({@code max_handshake_bytes}) and in time ({@code
 * handshake_timeout_ms}), and each refusal counted by the HTTP status it got. Without this a
 * connection that never finishes its handshake (slowloris, a silent socket, a header line that
 * never ends) held its socket and memory for as long as it liked, unseen by the limit.
 *
 * <p>Thread-safe: connections are accepted on the selector threads, refused on the decoder threads
 * and swept by the server's timer.
 */
final class Admissions {
  /** What each status a handshake can be refused with means, in the metrics' {@code reason}. */
  private static final Map<Integer, String> REASONS =
      Collections.unmodifiableMap(
          new TreeMap<>(
              Map.of(
                  400, "bad request",
                  401, "no token, or a bad one, for a private source",
                  403, "origin not allowed, or token not granting the source",
                  404, "no such source",
                  405, "method not GET",
                  426, "websocket version not 13",
                  429, "max_connections_per_ip reached",
                  431, "request header over max_handshake_bytes",
                  503, "max_connections or max_handshakes_per_second reached, or draining")));

  private final Set<Admission> waiting = ConcurrentHashMap.newKeySet();
  private final Map<Integer, LongAdder> refused = new ConcurrentHashMap<>();
  private final LongAdder timedOut = new LongAdder();
  private final int maxHeaderBytes;
  private final long timeoutNanos;
  private final int maxConnections;
  private final int maxPerIp;
  private final double handshakesPerSecond;
  private final Map<InetAddress, AtomicInteger> openByIp = new ConcurrentHashMap<>();
  private final Map<Object, InetAddress> openIp = new ConcurrentHashMap<>();
  private double handshakeTokens;
  private long handshakeTokensAt = System.nanoTime();
  private final IntSupplier openConnections;
  private final Predicate<String> serves;

  /**
   * @param openConnections clients past their handshake (websocket and any other transport), which
   *     count toward {@code maxConnections} with those still in it
   * @param serves whether a source of that name is served
   */
  Admissions(
      int maxHeaderBytes,
      long timeoutNanos,
      int maxConnections,
      int maxPerIp,
      double handshakesPerSecond,
      IntSupplier openConnections,
      Predicate<String> serves) {
    this.maxHeaderBytes = maxHeaderBytes;
    this.timeoutNanos = timeoutNanos;
    this.maxConnections = maxConnections;
    this.maxPerIp = maxPerIp;
    this.handshakesPerSecond = handshakesPerSecond;
    this.handshakeTokens = handshakesPerSecond;
    this.openConnections = openConnections;
    this.serves = serves;
  }

  /** The statuses a handshake can be refused with, each with what it means. */
  static Map<Integer, String> reasons() {
    return REASONS;
  }

  /** The source a request's resource ({@code /election?x=1}) names: its path without the slash. */
  static String sourceName(String resource) {
    int query = resource.indexOf('?');
    String path = query >= 0 ? resource.substring(0, query) : resource;
    return path.startsWith("/") ? path.substring(1) : path;
  }

  Admission newAdmission() {
    return new Admission(this);
  }

  /**
   * Counts a connection just accepted. Past the connection limit it is not closed at once (a close
   * before its request is read resets the connection, and the client would never see why) but
   * answered 503 once its request has come, or closed at the handshake timeout.
   */
  void accepted(Admission a, WebSocketImpl connection, SocketChannel socket) {
    boolean over =
        maxConnections > 0 && waiting.size() + openConnections.getAsInt() >= maxConnections;
    InetAddress ip = null;
    if (maxPerIp > 0) {
      try {
        ip = ((InetSocketAddress) socket.getRemoteAddress()).getAddress();
      } catch (IOException | RuntimeException e) {
        // Gone already: it will not get far.
      }
    }
    a.accepted(connection, socket, over);
    a.doors(ip, ip != null && fromAddress(ip) >= maxPerIp, !takeHandshakeToken());
    waiting.add(a);
  }

  /** Connections from {@code ip} now: open ones, and handshakes under way. */
  private int fromAddress(InetAddress ip) {
    AtomicInteger open = openByIp.get(ip);
    int n = open == null ? 0 : open.get();
    for (Admission w : waiting) {
      SocketChannel s = w.socket();
      if (ip.equals(w.ip()) && s != null && s.isOpen()) {
        n++;
      }
    }
    return n;
  }

  private synchronized boolean takeHandshakeToken() {
    if (handshakesPerSecond <= 0) {
      return true;
    }
    long now = System.nanoTime();
    handshakeTokens =
        Math.min(
            handshakesPerSecond,
            handshakeTokens + (now - handshakeTokensAt) * handshakesPerSecond / 1e9);
    handshakeTokensAt = now;
    if (handshakeTokens < 1) {
      return false;
    }
    handshakeTokens -= 1;
    return true;
  }

  private volatile boolean draining;

  /** From now on every handshake is refused with 503: the server is draining. */
  void drain() {
    draining = true;
  }

  boolean draining() {
    return draining;
  }

  /** The handshake ended in an upgrade: the connection now counts as a client. */
  void upgraded(Admission a, Object connection) {
    waiting.remove(a);
    InetAddress ip = a.ip();
    if (ip != null) {
      openByIp.computeIfAbsent(ip, k -> new AtomicInteger()).incrementAndGet();
      openIp.put(connection, ip);
    }
  }

  /** An upgraded connection closed: its address has one fewer. */
  void closed(Object connection) {
    InetAddress ip = openIp.remove(connection);
    if (ip != null) {
      openByIp.computeIfPresent(ip, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
  }

  boolean serves(String source) {
    return serves.test(source);
  }

  int maxHeaderBytes() {
    return maxHeaderBytes;
  }

  /** Connections accepted whose handshake has not ended yet. */
  int waiting() {
    return waiting.size();
  }

  /** {@code a} is refused: counted, and no longer a handshake under way (it is being closed). */
  void refused(Admission a, Admission.Refusal r) {
    refused.computeIfAbsent(r.status(), s -> new LongAdder()).increment();
    waiting.remove(a);
  }

  /** Handshakes refused with {@code status} so far. */
  long refused(int status) {
    LongAdder n = refused.get(status);
    return n == null ? 0 : n.sum();
  }

  /** Connections closed because their handshake did not end within the timeout. */
  long timedOut() {
    return timedOut.sum();
  }

  /**
   * Forgets connections whose handshake ended (closed or refused) and closes those still in it past
   * the timeout. Run about once a second: the timeout is kept to within that.
   */
  void sweep() {
    long now = System.nanoTime();
    // The set's iterator is weakly consistent: removing through it while others add is safe.
    for (Iterator<Admission> i = waiting.iterator(); i.hasNext(); ) {
      Admission a = i.next();
      WebSocketImpl c = a.connection();
      SocketChannel s = a.socket();
      if (c.getReadyState() != ReadyState.NOT_YET_CONNECTED || !s.isOpen()) {
        i.remove();
      } else if (now - a.acceptedNanos > timeoutNanos) {
        i.remove();
        timedOut.increment();
        try {
          // The library never learns of it: a connection not yet open is in none of its lists.
          s.close();
        } catch (IOException ignored) {
          // Closing a socket we give up on.
        }
      }
    }
  }
}
