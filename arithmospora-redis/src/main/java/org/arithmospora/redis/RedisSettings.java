package org.arithmospora.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach Redis. Immutable; build with {@link #builder()}, which validates on {@link
 * Builder#build()}. The defaults are the Go program's: {@code localhost:6379}, database 1, at most
 * 3 idle pooled connections closed after 240 s idle.
 *
 * <p>Redis is one server ({@link Topology#STANDALONE}), a master found through Sentinel ({@link
 * #sentinels()}, {@link #masterName()}), or a Redis Cluster reached through seed nodes ({@link
 * #clusterNodes()}).
 */
public final class RedisSettings {
  /** How the Redis servers are arranged. */
  public enum Topology {
    /** One server at {@link #address()}. */
    STANDALONE,
    /** A master that Sentinel names, followed across failovers. */
    SENTINEL,
    /** A Redis Cluster; every stat's keys may lie on different masters. */
    CLUSTER
  }

  /**
   * A server's {@code host:port}.
   *
   * @param host a name or address, without brackets
   * @param port 1-65535
   */
  public record Endpoint(String host, int port) {
    /** Checks the port. */
    public Endpoint {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("Redis host must not be empty");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("Redis port must be 1-65535, got " + port);
      }
    }

    /**
     * Parses {@code host:port}; an empty host means localhost, as in the Go program's {@code
     * ":6379"}. IPv6 hosts go in brackets: {@code [::1]:6379}.
     *
     * @throws IllegalArgumentException when it is not {@code host:port} with a valid port
     */
    public static Endpoint parse(String hostAndPort) {
      Objects.requireNonNull(hostAndPort, "address");
      String text = hostAndPort.trim();
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("Redis server '" + hostAndPort + "' is not host:port");
      }
      String h = text.substring(0, colon);
      if (h.startsWith("[") && h.endsWith("]")) {
        h = h.substring(1, h.length() - 1);
      }
      int p;
      try {
        p = Integer.parseInt(text.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Redis server '" + hostAndPort + "' has no valid port");
      }
      return new Endpoint(h.isEmpty() ? "localhost" : h, p);
    }

    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final int database;
  private final int maxIdle;
  private final int maxTotal;
  private final Duration idleTimeout;
  private final boolean tls;
  private final Path trustStore;
  private final String trustStorePassword;
  private final boolean verifyHostname;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final String clientName;
  private final Duration pingInterval;
  private final Duration minReconnectDelay;
  private final Duration maxReconnectDelay;
  private final List<Endpoint> sentinels;
  private final String masterName;
  private final String sentinelUser;
  private final String sentinelPassword;
  private final List<Endpoint> clusterNodes;

  private RedisSettings(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.user = b.user;
    this.password = b.password;
    this.database = b.database;
    this.maxIdle = b.maxIdle;
    this.maxTotal = b.maxTotal;
    this.idleTimeout = b.idleTimeout;
    this.tls = b.tls;
    this.trustStore = b.trustStore;
    this.trustStorePassword = b.trustStorePassword;
    this.verifyHostname = b.verifyHostname;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.clientName = b.clientName;
    this.pingInterval = b.pingInterval;
    this.minReconnectDelay = b.minReconnectDelay;
    this.maxReconnectDelay = b.maxReconnectDelay;
    this.sentinels = List.copyOf(b.sentinels);
    this.masterName = b.masterName;
    this.sentinelUser = b.sentinelUser;
    this.sentinelPassword = b.sentinelPassword;
    this.clusterNodes = List.copyOf(b.clusterNodes);
  }

  /** Settings with every default. */
  public static RedisSettings ofDefaults() {
    return builder().build();
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to change some. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.port = port;
    b.user = user;
    b.password = password;
    b.database = database;
    b.maxIdle = maxIdle;
    b.maxTotal = maxTotal;
    b.idleTimeout = idleTimeout;
    b.tls = tls;
    b.trustStore = trustStore;
    b.trustStorePassword = trustStorePassword;
    b.verifyHostname = verifyHostname;
    b.connectTimeout = connectTimeout;
    b.readTimeout = readTimeout;
    b.clientName = clientName;
    b.pingInterval = pingInterval;
    b.minReconnectDelay = minReconnectDelay;
    b.maxReconnectDelay = maxReconnectDelay;
    b.sentinels = sentinels;
    b.masterName = masterName;
    b.sentinelUser = sentinelUser;
    b.sentinelPassword = sentinelPassword;
    b.clusterNodes = clusterNodes;
    return b;
  }

  /** How the servers are arranged: one, Sentinel's master, or a cluster. */
  public Topology topology() {
    if (!sentinels.isEmpty()) {
      return Topology.SENTINEL;
    }
    return clusterNodes.isEmpty() ? Topology.STANDALONE : Topology.CLUSTER;
  }

  /** The Sentinels asked where the master is; empty unless {@link Topology#SENTINEL}. */
  public List<Endpoint> sentinels() {
    return sentinels;
  }

  /** The name Sentinel knows the master by ({@code master_name}); set with {@link #sentinels()}. */
  public Optional<String> masterName() {
    return Optional.ofNullable(masterName);
  }

  /** The ACL user for the Sentinels themselves, if they require one. */
  public Optional<String> sentinelUser() {
    return Optional.ofNullable(sentinelUser);
  }

  /** The password for the Sentinels themselves, if they require one. */
  public Optional<String> sentinelPassword() {
    return Optional.ofNullable(sentinelPassword);
  }

  /** The cluster's seed nodes; empty unless {@link Topology#CLUSTER}. */
  public List<Endpoint> clusterNodes() {
    return clusterNodes;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /**
   * Where Redis is, as logged: {@code host:port}, {@code master 'name' via sentinels …}, or {@code
   * cluster via …}.
   */
  public String address() {
    return switch (topology()) {
      case STANDALONE -> (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
      case SENTINEL -> "master '" + masterName + "' via Sentinel " + join(sentinels);
      case CLUSTER -> "cluster via " + join(clusterNodes);
    };
  }

  private static String join(List<Endpoint> endpoints) {
    StringBuilder b = new StringBuilder();
    for (Endpoint e : endpoints) {
      b.append(b.length() == 0 ? "" : ", ").append(e);
    }
    return b.toString();
  }

  /** The ACL user name, if any (Redis 6+). */
  public Optional<String> user() {
    return Optional.ofNullable(user);
  }

  /** The AUTH password, if any. */
  public Optional<String> password() {
    return Optional.ofNullable(password);
  }

  /** The database SELECTed on every connection. */
  public int database() {
    return database;
  }

  /** Most idle pooled connections ({@code max_idle}). */
  public int maxIdle() {
    return maxIdle;
  }

  /** Most pooled connections in all. */
  public int maxTotal() {
    return maxTotal;
  }

  /** How long a pooled connection may sit idle before it is closed ({@code idle_timeout}). */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** Whether connections use TLS. */
  public boolean tls() {
    return tls;
  }

  /** The trust store (PKCS#12 or JKS) that TLS checks the server against, if not the JVM's. */
  public Optional<Path> trustStore() {
    return Optional.ofNullable(trustStore);
  }

  /** The trust store's password, if any. */
  public Optional<String> trustStorePassword() {
    return Optional.ofNullable(trustStorePassword);
  }

  /** Whether TLS checks that the certificate names the host. */
  public boolean verifyHostname() {
    return verifyHostname;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How long a command may wait for its reply. */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** The name connections give themselves ({@code CLIENT SETNAME}). */
  public String clientName() {
    return clientName;
  }

  /** How often the subscriber connection is pinged to find out whether it silently died. */
  public Duration pingInterval() {
    return pingInterval;
  }

  /** The first wait before reconnecting; it doubles up to {@link #maxReconnectDelay()}. */
  public Duration minReconnectDelay() {
    return minReconnectDelay;
  }

  public Duration maxReconnectDelay() {
    return maxReconnectDelay;
  }

  @Override
  public String toString() {
    return "Redis "
        + address()
        + " db "
        + database
        + (tls ? " (TLS)" : "")
        + (user != null ? " user " + user : "")
        + (password != null ? " with password" : "");
  }

  /** Builds {@link RedisSettings}. Not thread-safe. */
  public static final class Builder {
    private String host = "localhost";
    private int port = 6379;
    private String user;
    private String password;
    // The Go program's default, kept so that existing sites read the same database.
    private int database = 1;
    private int maxIdle = 3;
    private int maxTotal = 8;
    private Duration idleTimeout = Duration.ofMinutes(4);
    private boolean tls;
    private Path trustStore;
    private String trustStorePassword;
    private boolean verifyHostname = true;
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration readTimeout = Duration.ofSeconds(5);
    private String clientName = "arithmospora";
    // Finds a silently dead subscriber within about three intervals.
    private Duration pingInterval = Duration.ofSeconds(5);
    private Duration minReconnectDelay = Duration.ofMillis(250);
    private Duration maxReconnectDelay = Duration.ofSeconds(10);
    private List<Endpoint> sentinels = List.of();
    private String masterName;
    private String sentinelUser;
    private String sentinelPassword;
    private List<Endpoint> clusterNodes = List.of();

    private Builder() {}

    /**
     * The server as {@code host:port}; an empty host means localhost, as in the Go program's {@code
     * ":6379"}. IPv6 hosts go in brackets: {@code [::1]:6379}.
     *
     * @throws IllegalArgumentException when it is not {@code host:port} with a valid port
     */
    public Builder address(String hostAndPort) {
      Endpoint e = Endpoint.parse(hostAndPort);
      return host(e.host()).port(e.port());
    }

    /**
     * Finds the master through these Sentinels, by {@code masterName}, and follows it across
     * failovers. Clears {@link #cluster(List)}.
     */
    public Builder sentinel(String masterName, List<Endpoint> sentinels) {
      this.masterName = Objects.requireNonNull(masterName, "masterName");
      this.sentinels = List.copyOf(sentinels);
      this.clusterNodes = List.of();
      return this;
    }

    /** Credentials for the Sentinels themselves; null or empty for none. */
    public Builder sentinelAuth(String user, String password) {
      this.sentinelUser = user == null || user.isEmpty() ? null : user;
      this.sentinelPassword = password == null || password.isEmpty() ? null : password;
      return this;
    }

    /**
     * Reads a Redis Cluster, discovering it from these seed nodes. The database is 0, the only one
     * a cluster has. Clears {@link #sentinel(String, List)}.
     */
    public Builder cluster(List<Endpoint> seedNodes) {
      this.clusterNodes = List.copyOf(seedNodes);
      this.sentinels = List.of();
      this.masterName = null;
      return this;
    }

    public Builder host(String h) {
      this.host = Objects.requireNonNull(h, "host");
      return this;
    }

    public Builder port(int p) {
      this.port = p;
      return this;
    }

    /** The ACL user (Redis 6+); null or empty for the default user. */
    public Builder user(String u) {
      this.user = u == null || u.isEmpty() ? null : u;
      return this;
    }

    /** The AUTH password; null or empty means no AUTH. */
    public Builder password(String p) {
      this.password = p == null || p.isEmpty() ? null : p;
      return this;
    }

    public Builder database(int db) {
      this.database = db;
      return this;
    }

    public Builder maxIdle(int n) {
      this.maxIdle = n;
      return this;
    }

    public Builder maxTotal(int n) {
      this.maxTotal = n;
      return this;
    }

    public Builder idleTimeout(Duration d) {
      this.idleTimeout = Objects.requireNonNull(d);
      return this;
    }

    public Builder tls(boolean useTls) {
      this.tls = useTls;
      return this;
    }

    /** A trust store holding the CA of a private Redis certificate; implies TLS. */
    public Builder trustStore(Path file, String password) {
      this.trustStore = Objects.requireNonNull(file);
      this.trustStorePassword = password;
      this.tls = true;
      return this;
    }

    public Builder verifyHostname(boolean verify) {
      this.verifyHostname = verify;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = Objects.requireNonNull(d);
      return this;
    }

    public Builder readTimeout(Duration d) {
      this.readTimeout = Objects.requireNonNull(d);
      return this;
    }

    public Builder clientName(String name) {
      this.clientName = name;
      return this;
    }

    public Builder pingInterval(Duration d) {
      this.pingInterval = Objects.requireNonNull(d);
      return this;
    }

    /** Reconnection waits start at {@code min} and double up to {@code max}. */
    public Builder reconnectDelay(Duration min, Duration max) {
      this.minReconnectDelay = Objects.requireNonNull(min);
      this.maxReconnectDelay = Objects.requireNonNull(max);
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the first setting out of range
     */
    public RedisSettings build() {
      if (host.isBlank()) {
        throw new IllegalArgumentException("Redis host must not be empty");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("Redis port must be 1-65535, got " + port);
      }
      if (!sentinels.isEmpty() && (masterName == null || masterName.isBlank())) {
        throw new IllegalArgumentException("Redis Sentinel needs the master's name (master_name)");
      }
      if (!clusterNodes.isEmpty() && database != 0) {
        throw new IllegalArgumentException(
            "Redis Cluster has only database 0, but db is " + database);
      }
      if (database < 0) {
        throw new IllegalArgumentException("Redis db must not be negative, got " + database);
      }
      if (maxIdle < 0) {
        throw new IllegalArgumentException("Redis max_idle must not be negative, got " + maxIdle);
      }
      if (maxTotal < 1) {
        throw new IllegalArgumentException("Redis pool size must be at least 1, got " + maxTotal);
      }
      requirePositive(idleTimeout, "idle_timeout");
      requirePositive(connectTimeout, "connect timeout");
      requirePositive(readTimeout, "read timeout");
      requirePositive(pingInterval, "ping interval");
      requirePositive(minReconnectDelay, "reconnect delay");
      if (maxReconnectDelay.compareTo(minReconnectDelay) < 0) {
        throw new IllegalArgumentException(
            "Redis maximum reconnect delay must not be below the minimum");
      }
      return new RedisSettings(this);
    }

    private static void requirePositive(Duration d, String what) {
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("Redis " + what + " must be positive, got " + d);
      }
    }
  }
}
