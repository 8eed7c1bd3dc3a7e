package org.arithmospora.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.arithmospora.core.DebounceSettings;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.type.StatTypeRegistry;
import org.arithmospora.http.StatLabel;
import org.arithmospora.redis.RedisSettings;
import org.arithmospora.ws.WebSocketSettings;

/**
 * A configuration file, read and checked: everything the commands need, in the settings types of
 * the library modules. Immutable.
 *
 * @param file where it was read from
 * @param redis {@code [redis]}
 * @param listener {@code [https]} if present, else {@code [http]}; empty when neither is given
 * @param websocket {@code [websocket]}, listening address and TLS not yet applied
 * @param debounce {@code [debounce]}
 * @param web {@code [web]}: the HTTP side (health, metrics, snapshots, event streams, dashboard);
 *     empty when the table is absent, as in every Go-era file
 * @param sources every {@code [[sources]]}, in order
 * @param warnings unknown keys and the like, each with its line
 * @param types the stat types the file was checked against, which its sources are read with
 * @param log {@code [log]}: how the command line logs
 * @param auth {@code [auth]}: how tokens for private sources are verified; empty when absent
 */
public record Config(
    Path file,
    RedisSettings redis,
    Optional<Listener> listener,
    WebSocketSettings websocket,
    DebounceSettings debounce,
    Optional<Web> web,
    List<SourceConfig> sources,
    List<String> warnings,
    StatTypeRegistry types,
    Log log,
    Optional<Auth> auth) {

  /** A configuration without {@code [auth]}: every source public. */
  public Config(
      Path file,
      RedisSettings redis,
      Optional<Listener> listener,
      WebSocketSettings websocket,
      DebounceSettings debounce,
      Optional<Web> web,
      List<SourceConfig> sources,
      List<String> warnings,
      StatTypeRegistry types,
      Log log) {
    this(
        file,
        redis,
        listener,
        websocket,
        debounce,
        web,
        sources,
        warnings,
        types,
        log,
        Optional.empty());
  }

  /**
   * {@code [auth]}: the key tokens for private sources ({@code private = true}) are verified with,
   * exactly one of a shared secret and a public key, and what else a token must say.
   *
   * @param hmacSecretFile {@code hmac_secret_file}: a file holding the HS256/384/512 secret (at
   *     least 32 bytes; a trailing newline is not part of it)
   * @param publicKeyFile {@code public_key_file}: a PEM RSA or EC public key or certificate
   * @param issuer {@code issuer}: when set, the {@code iss} every token must have
   * @param audience {@code audience}: when set, a value every token's {@code aud} must include
   * @param leeway {@code leeway_seconds}: how far clocks may disagree on {@code exp} and {@code
   *     nbf} (default 30 s)
   */
  public record Auth(
      Optional<Path> hmacSecretFile,
      Optional<Path> publicKeyFile,
      Optional<String> issuer,
      Optional<String> audience,
      Duration leeway) {}

  /**
   * Where and how to serve: plain, or TLS with PEM files or a PKCS#12 keystore. {@code toString()}
   * never shows a password, so that a listener can be logged.
   */
  public sealed interface Listener {
    /** {@code host:port}, or {@code :port} for every interface. */
    String address();

    /** Whether clients connect with {@code wss://}. */
    default boolean tls() {
      return !(this instanceof Plain);
    }

    /** {@code [http]}: plain websockets. */
    record Plain(String address) implements Listener {}

    /**
     * {@code [https]} with {@code cert} (a PEM certificate chain) and {@code key} (a PEM private
     * key, encrypted when {@code keyPassword} is not null).
     */
    record TlsPem(String address, Path cert, Path key, String keyPassword) implements Listener {
      @Override
      public String toString() {
        return "TlsPem[address="
            + address
            + ", cert="
            + cert
            + ", key="
            + key
            + ", keyPassword="
            + redacted(keyPassword)
            + "]";
      }
    }

    /** {@code [https]} with {@code pkcs12}: a keystore holding the key and its chain. */
    record TlsPkcs12(String address, Path pkcs12, String password) implements Listener {
      @Override
      public String toString() {
        return "TlsPkcs12[address="
            + address
            + ", pkcs12="
            + pkcs12
            + ", password="
            + redacted(password)
            + "]";
      }
    }

    private static String redacted(String secret) {
      return secret == null ? "(none)" : "(set)";
    }
  }

  /**
   * {@code [web]}: where the HTTP side listens and what it serves.
   *
   * @param listener its address, plain or TLS (the same keys as {@code [https]})
   * @param corsOrigins {@code cors_origins}: origins sent CORS headers for {@code /sources/…}
   * @param dashboard {@code dashboard}: whether {@code /} serves the dashboard (default true)
   * @param metrics {@code metrics}: whether {@code /metrics} answers (default true)
   * @param snapshotMaxAge {@code snapshot_max_age_ms}: the snapshots' {@code Cache-Control} age
   * @param requestTimeout {@code request_timeout_ms}: how long a connection has for each whole
   *     request (default 30 s)
   */
  public record Web(
      Listener listener,
      List<String> corsOrigins,
      boolean dashboard,
      boolean metrics,
      Duration snapshotMaxAge,
      Duration requestTimeout) {
    /** The default request timeout, 30 s. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    public Web {
      corsOrigins = List.copyOf(corsOrigins);
    }

    /** A {@code [web]} table with the default request timeout. */
    public Web(
        Listener listener,
        List<String> corsOrigins,
        boolean dashboard,
        boolean metrics,
        Duration snapshotMaxAge) {
      this(listener, corsOrigins, dashboard, metrics, snapshotMaxAge, DEFAULT_REQUEST_TIMEOUT);
    }
  }

  /**
   * {@code [log]}: how the command line logs. The library itself only uses SLF4J's API.
   *
   * @param level {@code level}: of this program's own messages: trace, debug, info, warn or error
   * @param json {@code format = "json"}: one JSON object a line, for a log collector; else text
   * @param levels {@code levels}: logger name (a package such as {@code redis.clients}) to level
   */
  public record Log(String level, boolean json, Map<String, String> levels) {
    /** Without a {@code [log]} table: text lines, this program's messages at info. */
    public static final Log DEFAULT = new Log("info", false, Map.of());

    public Log {
      levels = Map.copyOf(levels);
    }
  }

  /**
   * One source, the Redis prefix of its keys (empty when none of its stats use Redis), the
   * dashboard's names for its stats (the label keys of each stat), keyed {@code <group>:<key>}, and
   * whether only holders of a token may read it ({@code private}).
   */
  public record SourceConfig(
      SourceDefinition definition,
      String redisPrefix,
      Map<String, StatLabel> labels,
      boolean isPrivate) {
    public SourceConfig {
      labels = Map.copyOf(labels);
    }

    /** A public source. */
    public SourceConfig(
        SourceDefinition definition, String redisPrefix, Map<String, StatLabel> labels) {
      this(definition, redisPrefix, labels, false);
    }

    /** A public source without labels. */
    public SourceConfig(SourceDefinition definition, String redisPrefix) {
      this(definition, redisPrefix, Map.of());
    }

    public String name() {
      return definition.name();
    }
  }

  /**
   * The source named {@code name}, or the first when {@code name} is null.
   *
   * @throws IllegalArgumentException listing the sources when there is no such one
   */
  public SourceConfig source(String name) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException(file + " defines no [[sources]]");
    }
    if (name == null || name.isEmpty()) {
      return sources.get(0);
    }
    return sources.stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no source named '"
                        + name
                        + "' in "
                        + file
                        + "; sources: "
                        + String.join(", ", sources.stream().map(SourceConfig::name).toList())));
  }
}
