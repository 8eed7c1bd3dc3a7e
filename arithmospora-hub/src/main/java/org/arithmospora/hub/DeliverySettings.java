package org.arithmospora.hub;

import java.time.Duration;
import java.util.Objects;

/**
 * How the hub treats its clients, whatever carries their messages: keep-alive, when to give up on a
 * client, how much may be on its way to it, and how often it may hear of one stat. Immutable; build
 * with {@link #builder()}, which validates on {@link Builder#build()}. The keep-alive defaults are
 * the Go program's {@code [websocket]} section.
 */
public final class DeliverySettings {
  private final Duration writeWait;
  private final Duration pongWait;
  private final Duration pingPeriod;
  private final Duration snapshotDelay;
  private final int maxConnections;
  private final int sendWindowBytes;
  private final Duration sendWindowTime;
  private final double maxStatRate;
  private final int maxClientMessageBytes;
  private final double clientMessagesPerSecond;

  private DeliverySettings(Builder b) {
    this.writeWait = b.writeWait;
    this.pongWait = b.pongWait;
    this.pingPeriod = b.pingPeriod;
    this.snapshotDelay = b.snapshotDelay;
    this.maxConnections = b.maxConnections;
    this.sendWindowBytes = b.sendWindowBytes;
    this.sendWindowTime = b.sendWindowTime;
    this.maxStatRate = b.maxStatRate;
    this.maxClientMessageBytes = b.maxClientMessageBytes;
    this.clientMessagesPerSecond = b.clientMessagesPerSecond;
  }

  /** The defaults. */
  public static DeliverySettings ofDefaults() {
    return builder().build();
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to change some. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.writeWait = writeWait;
    b.pongWait = pongWait;
    b.pingPeriod = pingPeriod;
    b.snapshotDelay = snapshotDelay;
    b.maxConnections = maxConnections;
    b.sendWindowBytes = sendWindowBytes;
    b.sendWindowTime = sendWindowTime;
    b.maxStatRate = maxStatRate;
    b.maxClientMessageBytes = maxClientMessageBytes;
    b.clientMessagesPerSecond = clientMessagesPerSecond;
    return b;
  }

  /**
   * How long a client may take nothing of what was sent to it before it is dropped ({@code
   * write_wait}): it has messages on their way and has confirmed none of them. A client with much
   * on its way is given longer: as long as reading what was ahead of its oldest unanswered request
   * at 2 KB/s would take. So a client that reads at least 2 KB/s is never dropped for being slow,
   * and a slower one is kept as long as it answers within this time.
   */
  public Duration writeWait() {
    return writeWait;
  }

  /** How long a client may stay silent before it is dropped ({@code pong_wait}). */
  public Duration pongWait() {
    return pongWait;
  }

  /** How often an idle client is asked for a sign of life ({@code ping_period}). */
  public Duration pingPeriod() {
    return pingPeriod;
  }

  /** How long after {@code available} the snapshot of every stat follows. */
  public Duration snapshotDelay() {
    return snapshotDelay;
  }

  /** Most clients at once; 0 means no limit. */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * The most bytes a client may have on their way to it: handed to its transport but not yet
   * confirmed as consumed ({@code send_window_bytes}). Newer messages wait in the hub, where a
   * newer version of a stat replaces an older one.
   */
  public int sendWindowBytes() {
    return sendWindowBytes;
  }

  /**
   * How much of its own reading time a client may have on its way to it ({@code send_window_ms}):
   * the window shrinks below {@link #sendWindowBytes()} for a client that consumes slowly, to what
   * it reads in this time plus one round trip. Zero keeps every window at {@link
   * #sendWindowBytes()}.
   */
  public Duration sendWindowTime() {
    return sendWindowTime;
  }

  /**
   * The most messages a second a client receives for any one stat ({@code max_stat_rate}); versions
   * in between are conflated. 0 (the default) means no cap.
   */
  public double maxStatRate() {
    return maxStatRate;
  }

  /**
   * Protocol 2: the largest message a client may send ({@code max_client_message_bytes}, default
   * 2048); a larger one is answered with an {@code error} and otherwise ignored.
   */
  public int maxClientMessageBytes() {
    return maxClientMessageBytes;
  }

  /**
   * Protocol 2: how many messages a second a client may send ({@code client_messages_per_second},
   * default 10, in bursts of twice that); more are answered with an {@code error}, at most one a
   * second, and otherwise ignored.
   */
  public double clientMessagesPerSecond() {
    return clientMessagesPerSecond;
  }

  @Override
  public String toString() {
    return "DeliverySettings[writeWait="
        + writeWait
        + ", pongWait="
        + pongWait
        + ", pingPeriod="
        + pingPeriod
        + ", snapshotDelay="
        + snapshotDelay
        + ", maxConnections="
        + maxConnections
        + ", sendWindowBytes="
        + sendWindowBytes
        + ", sendWindowTime="
        + sendWindowTime
        + ", maxStatRate="
        + maxStatRate
        + ", maxClientMessageBytes="
        + maxClientMessageBytes
        + ", clientMessagesPerSecond="
        + clientMessagesPerSecond
        + "]";
  }

  /** Builds {@link DeliverySettings}. Not thread-safe. */
  public static final class Builder {
    private Duration writeWait = Duration.ofSeconds(10);
    private Duration pongWait = Duration.ofSeconds(60);
    private Duration pingPeriod = Duration.ofSeconds(54);
    private Duration snapshotDelay = Duration.ofMillis(100);
    private int maxConnections;
    // Enough for a page's whole snapshot at once, and for a client a continent away to get its
    // updates at full speed; small enough that a client which stops reading holds at most this.
    private int sendWindowBytes = 64 * 1024;
    // A slow client's screen lags its reading speed by at most about a quarter of a second.
    private Duration sendWindowTime = Duration.ofMillis(250);
    private double maxStatRate;
    private int maxClientMessageBytes = 2048;
    private double clientMessagesPerSecond = 10;

    private Builder() {}

    /** {@code write_wait}: see {@link DeliverySettings#writeWait()}. */
    public Builder writeWait(Duration d) {
      this.writeWait = Objects.requireNonNull(d);
      return this;
    }

    /** {@code pong_wait}: see {@link DeliverySettings#pongWait()}. */
    public Builder pongWait(Duration d) {
      this.pongWait = Objects.requireNonNull(d);
      return this;
    }

    /** {@code ping_period}: see {@link DeliverySettings#pingPeriod()}. */
    public Builder pingPeriod(Duration d) {
      this.pingPeriod = Objects.requireNonNull(d);
      return this;
    }

    /** See {@link DeliverySettings#snapshotDelay()}. */
    public Builder snapshotDelay(Duration d) {
      this.snapshotDelay = Objects.requireNonNull(d);
      return this;
    }

    /** See {@link DeliverySettings#maxConnections()}. */
    public Builder maxConnections(int n) {
      this.maxConnections = n;
      return this;
    }

    /** See {@link DeliverySettings#sendWindowBytes()}. */
    public Builder sendWindowBytes(int bytes) {
      this.sendWindowBytes = bytes;
      return this;
    }

    /** See {@link DeliverySettings#sendWindowTime()}. */
    public Builder sendWindowTime(Duration d) {
      this.sendWindowTime = Objects.requireNonNull(d);
      return this;
    }

    /** See {@link DeliverySettings#maxStatRate()}. */
    public Builder maxStatRate(double perSecond) {
      this.maxStatRate = perSecond;
      return this;
    }

    /** See {@link DeliverySettings#maxClientMessageBytes()}. */
    public Builder maxClientMessageBytes(int bytes) {
      this.maxClientMessageBytes = bytes;
      return this;
    }

    /** See {@link DeliverySettings#clientMessagesPerSecond()}. */
    public Builder clientMessagesPerSecond(double perSecond) {
      this.clientMessagesPerSecond = perSecond;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the first setting out of range, by its configuration
     *     key, e.g. a ping period that is not shorter than the pong wait
     */
    public DeliverySettings build() {
      positive(writeWait, "write_wait");
      positive(pongWait, "pong_wait");
      positive(pingPeriod, "ping_period");
      if (pingPeriod.compareTo(pongWait) >= 0) {
        throw new IllegalArgumentException(
            "ping_period ("
                + pingPeriod.toSeconds()
                + " s) must be shorter than pong_wait ("
                + pongWait.toSeconds()
                + " s)");
      }
      if (snapshotDelay.isNegative()) {
        throw new IllegalArgumentException("snapshot_delay_ms must not be negative");
      }
      if (maxConnections < 0) {
        throw new IllegalArgumentException("max_connections must not be negative");
      }
      if (sendWindowBytes < SendWindow.MIN_BYTES) {
        throw new IllegalArgumentException(
            "send_window_bytes must be at least "
                + SendWindow.MIN_BYTES
                + ", got "
                + sendWindowBytes);
      }
      if (sendWindowTime.isNegative()) {
        throw new IllegalArgumentException("send_window_ms must not be negative");
      }
      if (!(maxStatRate >= 0) || Double.isInfinite(maxStatRate)) {
        throw new IllegalArgumentException(
            "max_stat_rate must be 0 (no cap) or a positive number of messages a second, got "
                + maxStatRate);
      }
      if (maxClientMessageBytes < 64) {
        throw new IllegalArgumentException(
            "max_client_message_bytes must be at least 64, got " + maxClientMessageBytes);
      }
      if (!(clientMessagesPerSecond > 0) || Double.isInfinite(clientMessagesPerSecond)) {
        throw new IllegalArgumentException(
            "client_messages_per_second must be a positive number, got " + clientMessagesPerSecond);
      }
      return new DeliverySettings(this);
    }

    private static void positive(Duration d, String name) {
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
    }
  }
}
