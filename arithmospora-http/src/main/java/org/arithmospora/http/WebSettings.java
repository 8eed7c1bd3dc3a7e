package org.arithmospora.http;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How the HTTP side listens and whom it answers. Immutable; build one with {@link #builder()}.
 *
 * <p>The Origin policy is the websocket side's: when {@link #allowedOrigins()} is not empty, a
 * request for {@code /sources/…} whose {@code Origin} is not in it is refused with 403. A request
 * without an {@code Origin} (curl, a monitoring probe) is not a browser page's and is answered.
 * {@link #corsOrigins()} says which pages may read {@code /sources/…} across origins.
 */
public final class WebSettings {
  private final InetSocketAddress address;
  private final SSLContext tls;
  private final List<String> allowedOrigins;
  private final List<String> corsOrigins;
  private final Duration snapshotMaxAge;
  private final boolean dashboard;
  private final Duration requestTimeout;

  private WebSettings(Builder b) {
    this.address = b.address;
    this.tls = b.tls;
    this.allowedOrigins = List.copyOf(b.allowedOrigins);
    this.corsOrigins = List.copyOf(b.corsOrigins);
    this.snapshotMaxAge = b.snapshotMaxAge;
    this.dashboard = b.dashboard;
    this.requestTimeout = b.requestTimeout;
  }

  /** A builder with the defaults: port 8081 on every interface, plain HTTP, the dashboard on. */
  public static Builder builder() {
    return new Builder();
  }

  /** Where to listen. */
  public InetSocketAddress address() {
    return address;
  }

  /** The TLS context, when serving HTTPS. */
  public Optional<SSLContext> tls() {
    return Optional.ofNullable(tls);
  }

  /** The origins whose pages may use {@code /sources/…}; empty allows every origin. */
  public List<String> allowedOrigins() {
    return allowedOrigins;
  }

  /**
   * The origins sent {@code Access-Control-Allow-Origin} for {@code /sources/…}; {@code *} for
   * every origin; empty (the default) sends no CORS headers.
   */
  public List<String> corsOrigins() {
    return corsOrigins;
  }

  /** The {@code Cache-Control: max-age} of snapshots (default 1 s). */
  public Duration snapshotMaxAge() {
    return snapshotMaxAge;
  }

  /** Whether {@code /} serves the dashboard and {@code /arithmospora.js} the client library. */
  public boolean dashboard() {
    return dashboard;
  }

  /**
   * How long a connection has for each whole request (default 30 s): a slow or silent sender is
   * closed after it ({@code request_timeout_ms}).
   */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  @Override
  public String toString() {
    return "WebSettings[address="
        + address
        + ", tls="
        + (tls != null)
        + ", allowedOrigins="
        + allowedOrigins
        + ", corsOrigins="
        + corsOrigins
        + ", snapshotMaxAge="
        + snapshotMaxAge
        + ", dashboard="
        + dashboard
        + ", requestTimeout="
        + requestTimeout
        + "]";
  }

  /** Builds {@link WebSettings}. */
  public static final class Builder {
    private InetSocketAddress address = new InetSocketAddress(8081);
    private SSLContext tls;
    private List<String> allowedOrigins = List.of();
    private List<String> corsOrigins = List.of();
    private Duration snapshotMaxAge = Duration.ofSeconds(1);
    private boolean dashboard = true;
    private Duration requestTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** Where to listen; port 0 picks a free one. */
    public Builder address(InetSocketAddress a) {
      this.address = Objects.requireNonNull(a);
      return this;
    }

    /** Serve HTTPS with this context. */
    public Builder tls(SSLContext context) {
      this.tls = Objects.requireNonNull(context);
      return this;
    }

    /** See {@link WebSettings#allowedOrigins()}. */
    public Builder allowedOrigins(List<String> origins) {
      this.allowedOrigins = List.copyOf(origins);
      return this;
    }

    /** See {@link WebSettings#corsOrigins()}. */
    public Builder corsOrigins(List<String> origins) {
      this.corsOrigins = List.copyOf(origins);
      return this;
    }

    /**
     * See {@link WebSettings#snapshotMaxAge()}.
     *
     * @throws IllegalArgumentException when negative
     */
    public Builder snapshotMaxAge(Duration maxAge) {
      if (maxAge.isNegative()) {
        throw new IllegalArgumentException("snapshot max age must not be negative, got " + maxAge);
      }
      this.snapshotMaxAge = maxAge;
      return this;
    }

    /**
     * See {@link WebSettings#requestTimeout()}.
     *
     * @throws IllegalArgumentException when under 100 ms
     */
    public Builder requestTimeout(Duration timeout) {
      if (timeout.compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalArgumentException(
            "request_timeout_ms must be at least 100 (" + timeout.toMillis() + " given)");
      }
      this.requestTimeout = timeout;
      return this;
    }

    /** See {@link WebSettings#dashboard()}. */
    public Builder dashboard(boolean serve) {
      this.dashboard = serve;
      return this;
    }

    /** The settings. */
    public WebSettings build() {
      return new WebSettings(this);
    }
  }
}
