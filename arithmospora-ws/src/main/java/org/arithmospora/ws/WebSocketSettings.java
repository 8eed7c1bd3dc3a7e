package org.arithmospora.ws;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.arithmospora.hub.DeliverySettings;

/**
 * How the websocket server listens and treats its clients. Immutable; build with {@link
 * #builder()}, which validates on {@link Builder#build()}. The keys of the Go program's {@code
 * [websocket]} section (and this project's delivery keys) are {@link #delivery()}'s.
 */
public final class WebSocketSettings {
  private final InetSocketAddress address;
  private final SSLContext tls;
  private final DeliverySettings delivery;
  private final int maxInboundBytes;
  private final Set<String> allowedOrigins;
  private final int workerThreads;
  private final int selectorThreads;
  private final int backlog;
  private final int maxHandshakeBytes;
  private final Duration handshakeTimeout;
  private final Duration drainTime;
  private final int maxConnectionsPerIp;
  private final double maxHandshakesPerSecond;
  private final boolean allowNoOrigin;
  private final boolean compression;

  private WebSocketSettings(Builder b, DeliverySettings delivery) {
    this.address = b.address;
    this.tls = b.tls;
    this.delivery = delivery;
    this.maxInboundBytes = b.maxInboundBytes;
    this.allowedOrigins = Set.copyOf(b.allowedOrigins);
    this.workerThreads = b.workerThreads;
    this.selectorThreads = b.selectorThreads;
    this.backlog = b.backlog;
    this.maxHandshakeBytes = b.maxHandshakeBytes;
    this.handshakeTimeout = b.handshakeTimeout;
    this.drainTime = b.drainTime;
    this.maxConnectionsPerIp = b.maxConnectionsPerIp;
    this.maxHandshakesPerSecond = b.maxHandshakesPerSecond;
    this.allowNoOrigin = b.allowNoOrigin;
    this.compression = b.compression;
  }

  /** A builder with every default, listening on {@code 0.0.0.0:8080}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to change some. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.address = address;
    b.tls = tls;
    b.delivery = delivery.toBuilder();
    b.maxInboundBytes = maxInboundBytes;
    b.allowedOrigins = allowedOrigins;
    b.workerThreads = workerThreads;
    b.selectorThreads = selectorThreads;
    b.backlog = backlog;
    b.maxHandshakeBytes = maxHandshakeBytes;
    b.handshakeTimeout = handshakeTimeout;
    b.drainTime = drainTime;
    b.maxConnectionsPerIp = maxConnectionsPerIp;
    b.maxHandshakesPerSecond = maxHandshakesPerSecond;
    b.allowNoOrigin = allowNoOrigin;
    b.compression = compression;
    return b;
  }

  /** Where to listen; port 0 picks a free port. */
  public InetSocketAddress address() {
    return address;
  }

  /** The TLS context when serving {@code wss://}. */
  public Optional<SSLContext> tls() {
    return Optional.ofNullable(tls);
  }

  /**
   * How clients are treated whatever carries their messages: keep-alive ({@code write_wait}, {@code
   * pong_wait}, {@code ping_period}), the snapshot delay, the connection limit and flow control.
   * The server's hub runs with these.
   */
  public DeliverySettings delivery() {
    return delivery;
  }

  /** The largest frame or message a client may send. */
  public int maxInboundBytes() {
    return maxInboundBytes;
  }

  /**
   * {@code max_handshake_bytes}: the largest request header a client's handshake may have (cookies
   * included); a longer one is answered 431.
   */
  public int maxHandshakeBytes() {
    return maxHandshakeBytes;
  }

  /**
   * {@code handshake_timeout_ms}: how long a connection may take, from its accept, to finish its
   * handshake before it is closed. Until then it counts toward {@code max_connections}.
   */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /**
   * Over how long a server that is stopping ({@code SIGTERM}) spreads closing its clients with
   * 1012, so that the other servers take them gradually ({@code drain_time_ms}, default 5 s; 0
   * closes them all at once with 1001, as before).
   */
  public Duration drainTime() {
    return drainTime;
  }

  /**
   * The most connections from one client address at once, handshakes under way included ({@code
   * max_connections_per_ip}); more are answered 429. 0 (the default) means no cap. Behind a proxy
   * every client has the proxy's address: set it there instead.
   */
  public int maxConnectionsPerIp() {
    return maxConnectionsPerIp;
  }

  /**
   * The most handshakes a second the server starts ({@code max_handshakes_per_second}, in bursts of
   * a second's worth); more are answered 503 with {@code Retry-After: 1}. 0 (the default) means no
   * cap.
   */
  public double maxHandshakesPerSecond() {
    return maxHandshakesPerSecond;
  }

  /**
   * Whether a client that sends no {@code Origin} (a script, a native app: not a browser page) is
   * let in when {@link #allowedOrigins()} is set ({@code allow_no_origin}, default true, as the Go
   * program let it in); false refuses it with 403.
   */
  public boolean allowNoOrigin() {
    return allowNoOrigin;
  }

  /**
   * Whether a client that offers permessage-deflate (RFC 7692; every browser does) gets its
   * messages compressed ({@code compression}, default true). Each message is compressed once, for
   * every such client, without context takeover; what a client reads after inflating is the same
   * text either way.
   */
  public boolean compression() {
    return compression;
  }

  /** Origins allowed to connect; empty means any. */
  public Set<String> allowedOrigins() {
    return allowedOrigins;
  }

  /** Threads that decode inbound frames and run connection callbacks. */
  public int workerThreads() {
    return workerThreads;
  }

  /**
   * Selector threads sharing the port (each accepts and writes for its share of the clients); more
   * than one needs {@code SO_REUSEPORT}.
   */
  public int selectorThreads() {
    return selectorThreads;
  }

  /** Connections the kernel may hold waiting to be accepted. */
  public int backlog() {
    return backlog;
  }

  /** Builds {@link WebSocketSettings}. Not thread-safe. */
  public static final class Builder {
    private InetSocketAddress address = new InetSocketAddress(8080);
    private SSLContext tls;
    private DeliverySettings.Builder delivery = DeliverySettings.builder();
    // Clients only ever send tiny messages; anything bigger is a mistake or an attack.
    private int maxInboundBytes = 4096;
    private Collection<String> allowedOrigins = Set.of();
    private int workerThreads = 1;
    // One per core where the kernel spreads connections over sockets sharing a port.
    private int selectorThreads =
        reusePortSupported()
            ? Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()))
            : 1;
    // A connect storm of thousands arrives faster than one thread accepts: let the kernel hold
    // them.
    private int backlog = 4096;
    // A browser's handshake is well under 2 KiB; cookies can take it towards 8 KiB.
    private int maxHandshakeBytes = 16 * 1024;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration drainTime = Duration.ofSeconds(5);
    private int maxConnectionsPerIp;
    private double maxHandshakesPerSecond;
    private boolean allowNoOrigin = true;
    private boolean compression = true;

    private Builder() {}

    /**
     * Where to listen, as {@code host:port}; an empty host means every interface.
     *
     * @throws IllegalArgumentException when it is not {@code host:port}
     */
    public Builder address(String hostAndPort) {
      int colon = hostAndPort.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("address '" + hostAndPort + "' is not host:port");
      }
      String host = hostAndPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(hostAndPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("address '" + hostAndPort + "' has no valid port");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("address '" + hostAndPort + "': port must be 0-65535");
      }
      this.address =
          host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
      return this;
    }

    public Builder address(InetSocketAddress a) {
      this.address = Objects.requireNonNull(a);
      return this;
    }

    /** Serve {@code wss://} with this context (see {@link TlsContexts}); null for plain. */
    public Builder tls(SSLContext context) {
      this.tls = context;
      return this;
    }

    /** Replaces every delivery setting at once (see {@link WebSocketSettings#delivery()}). */
    public Builder delivery(DeliverySettings settings) {
      this.delivery = settings.toBuilder();
      return this;
    }

    /** {@code write_wait}: see {@link DeliverySettings#writeWait()}. */
    public Builder writeWait(Duration d) {
      delivery.writeWait(d);
      return this;
    }

    /** {@code pong_wait}: see {@link DeliverySettings#pongWait()}. */
    public Builder pongWait(Duration d) {
      delivery.pongWait(d);
      return this;
    }

    /** {@code ping_period}: see {@link DeliverySettings#pingPeriod()}. */
    public Builder pingPeriod(Duration d) {
      delivery.pingPeriod(d);
      return this;
    }

    /** {@code snapshot_delay_ms}: see {@link DeliverySettings#snapshotDelay()}. */
    public Builder snapshotDelay(Duration d) {
      delivery.snapshotDelay(d);
      return this;
    }

    /** {@code max_connections}: see {@link DeliverySettings#maxConnections()}. */
    public Builder maxConnections(int n) {
      delivery.maxConnections(n);
      return this;
    }

    /** {@code send_window_bytes}: see {@link DeliverySettings#sendWindowBytes()}. */
    public Builder sendWindowBytes(int bytes) {
      delivery.sendWindowBytes(bytes);
      return this;
    }

    /** {@code send_window_ms}: see {@link DeliverySettings#sendWindowTime()}. */
    public Builder sendWindowTime(Duration d) {
      delivery.sendWindowTime(d);
      return this;
    }

    /** {@code max_stat_rate}: see {@link DeliverySettings#maxStatRate()}. */
    public Builder maxStatRate(double perSecond) {
      delivery.maxStatRate(perSecond);
      return this;
    }

    /** {@code max_client_message_bytes}: see {@link DeliverySettings#maxClientMessageBytes()}. */
    public Builder maxClientMessageBytes(int bytes) {
      delivery.maxClientMessageBytes(bytes);
      return this;
    }

    /**
     * {@code client_messages_per_second}: see {@link DeliverySettings#clientMessagesPerSecond()}.
     */
    public Builder clientMessagesPerSecond(double perSecond) {
      delivery.clientMessagesPerSecond(perSecond);
      return this;
    }

    public Builder maxInboundBytes(int bytes) {
      this.maxInboundBytes = bytes;
      return this;
    }

    /** Only these origins (e.g. {@code https://example.org}) may connect; empty for any. */
    public Builder allowedOrigins(Collection<String> origins) {
      this.allowedOrigins = Objects.requireNonNull(origins);
      return this;
    }

    public Builder workerThreads(int n) {
      this.workerThreads = n;
      return this;
    }

    /**
     * Selector threads sharing the port (default: one per core, up to four, where {@code
     * SO_REUSEPORT} is supported; otherwise one).
     */
    public Builder selectorThreads(int n) {
      this.selectorThreads = n;
      return this;
    }

    public Builder backlog(int n) {
      this.backlog = n;
      return this;
    }

    /** {@code max_handshake_bytes}: see {@link WebSocketSettings#maxHandshakeBytes()}. */
    public Builder maxHandshakeBytes(int bytes) {
      this.maxHandshakeBytes = bytes;
      return this;
    }

    /** {@code max_connections_per_ip}: see {@link WebSocketSettings#maxConnectionsPerIp()}. */
    public Builder maxConnectionsPerIp(int n) {
      this.maxConnectionsPerIp = n;
      return this;
    }

    /**
     * {@code max_handshakes_per_second}: see {@link WebSocketSettings#maxHandshakesPerSecond()}.
     */
    public Builder maxHandshakesPerSecond(double perSecond) {
      this.maxHandshakesPerSecond = perSecond;
      return this;
    }

    /** {@code allow_no_origin}: see {@link WebSocketSettings#allowNoOrigin()}. */
    public Builder allowNoOrigin(boolean allow) {
      this.allowNoOrigin = allow;
      return this;
    }

    /** {@code compression}: see {@link WebSocketSettings#compression()}. */
    public Builder compression(boolean on) {
      this.compression = on;
      return this;
    }

    /** {@code drain_time_ms}: see {@link WebSocketSettings#drainTime()}. */
    public Builder drainTime(Duration d) {
      this.drainTime = Objects.requireNonNull(d);
      return this;
    }

    /** {@code handshake_timeout_ms}: see {@link WebSocketSettings#handshakeTimeout()}. */
    public Builder handshakeTimeout(Duration d) {
      this.handshakeTimeout = Objects.requireNonNull(d);
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the first setting out of range, e.g. a ping period
     *     that is not shorter than the pong wait
     */
    public WebSocketSettings build() {
      DeliverySettings d = delivery.build();
      if (maxInboundBytes < 125) {
        throw new IllegalArgumentException(
            "the inbound limit must allow at least a control frame (125 bytes)");
      }
      if (workerThreads < 1) {
        throw new IllegalArgumentException("worker threads must be at least 1");
      }
      if (selectorThreads < 1) {
        throw new IllegalArgumentException("selector threads must be at least 1");
      }
      if (selectorThreads > 1 && !reusePortSupported()) {
        throw new IllegalArgumentException(
            "more than one selector thread needs SO_REUSEPORT, which this platform lacks");
      }
      if (backlog < 1) {
        throw new IllegalArgumentException("backlog must be at least 1");
      }
      if (maxHandshakeBytes < 1024) {
        throw new IllegalArgumentException(
            "max_handshake_bytes must be at least 1024: a browser's handshake alone is several"
                + " hundred bytes");
      }
      if (handshakeTimeout.compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalArgumentException(
            "handshake_timeout_ms must be at least 100 ("
                + handshakeTimeout.toMillis()
                + " given)");
      }
      if (maxConnectionsPerIp < 0) {
        throw new IllegalArgumentException("max_connections_per_ip must not be negative");
      }
      if (!(maxHandshakesPerSecond >= 0) || Double.isInfinite(maxHandshakesPerSecond)) {
        throw new IllegalArgumentException(
            "max_handshakes_per_second must be 0 (no cap) or a positive number, got "
                + maxHandshakesPerSecond);
      }
      if (drainTime.isNegative()) {
        throw new IllegalArgumentException("drain_time_ms must not be negative");
      }
      return new WebSocketSettings(this, d);
    }

    private static boolean reusePortSupported() {
      // Linux balances connections across sockets sharing a port; other systems may not.
      if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
        return false;
      }
      try (java.nio.channels.ServerSocketChannel c = java.nio.channels.ServerSocketChannel.open()) {
        return c.supportedOptions().contains(java.net.StandardSocketOptions.SO_REUSEPORT);
      } catch (java.io.IOException e) {
        return false;
      }
    }
  }
}
