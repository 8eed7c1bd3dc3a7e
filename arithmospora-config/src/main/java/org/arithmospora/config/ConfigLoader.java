package org.arithmospora.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.arithmospora.core.ComparisonOperator;
import org.arithmospora.core.DebounceSettings;
import org.arithmospora.core.MilestoneDefinition;
import org.arithmospora.core.MilestoneGroup;
import org.arithmospora.core.Problem;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.type.StatTypeRegistry;
import org.arithmospora.http.StatLabel;
import org.arithmospora.redis.RedisSettings;
import org.arithmospora.ws.WebSocketSettings;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Reads the Go program's TOML configuration (SPEC §1) with its keys, meanings and defaults, and
 * this project's additions. Every mistake is reported with file, line, key and what was expected;
 * unknown keys are warnings. tomlj stays inside this module: what comes out are the library's
 * settings types.
 *
 * <p>It holds no rule of the domain: the definitions and their stat types report every problem with
 * a path ({@link Problem}), and this maps each path back to its file and line. It is long because
 * it maps every key of the Go format, each with its type and its line.
 */
public final class ConfigLoader {
  /** The loader type of stats that do not name one. */
  public static final String REDIS = "redis";

  private static final Set<String> TOP =
      Set.of("redis", "http", "https", "websocket", "debounce", "web", "log", "auth", "sources");
  private static final Set<String> AUTH_KEYS =
      Set.of("hmac_secret_file", "public_key_file", "issuer", "audience", "leeway_seconds");
  private static final Set<String> REDIS_KEYS =
      Set.of(
          "server",
          "sentinels",
          "master_name",
          "sentinel_user",
          "sentinel_password",
          "cluster",
          "password",
          "db",
          "max_idle",
          "idle_timeout",
          "user",
          "tls",
          "trust_store",
          "trust_store_password",
          "verify_hostname",
          "connect_timeout_ms",
          "read_timeout_ms");
  private static final Set<String> HTTP_KEYS = Set.of("address");
  private static final Set<String> HTTPS_KEYS =
      Set.of("address", "cert", "key", "key_password", "pkcs12", "pkcs12_password");
  private static final Set<String> WEBSOCKET_KEYS =
      Set.of(
          "write_wait",
          "pong_wait",
          "ping_period",
          "snapshot_delay_ms",
          "max_message_bytes",
          "max_connections",
          "allowed_origins",
          "send_window_bytes",
          "send_window_ms",
          "max_stat_rate",
          "max_queued_frames",
          "max_handshake_bytes",
          "handshake_timeout_ms",
          "max_client_message_bytes",
          "client_messages_per_second",
          "drain_time_ms",
          "max_connections_per_ip",
          "max_handshakes_per_second",
          "allow_no_origin",
          "compression");
  private static final Set<String> WEB_KEYS =
      Set.of(
          "address",
          "cert",
          "key",
          "key_password",
          "pkcs12",
          "pkcs12_password",
          "cors_origins",
          "dashboard",
          "metrics",
          "snapshot_max_age_ms",
          "request_timeout_ms");
  private static final Set<String> LOG_KEYS = Set.of("level", "format", "levels");
  private static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error");
  private static final Set<String> DEBOUNCE_KEYS = Set.of("min_time_ms", "max_time_ms");
  private static final Set<String> SOURCE_KEYS =
      Set.of(
          "name",
          "redis_prefix",
          "start_time",
          "end_time",
          "is_live",
          "private",
          "timed_stat_periods",
          "stats",
          "milestones");
  private static final Set<String> PERIOD_KEYS = Set.of("granularity", "cycles");
  private static final List<String> GROUPS =
      List.of(
          StatDefinition.PROPORTION,
          StatDefinition.ROLLING,
          StatDefinition.TIMED,
          StatDefinition.OTHER);
  private static final Set<String> STAT_KEYS =
      Set.of("name", "data_type", "loader_type", "period", "label", "labels");
  private static final Set<String> MILESTONE_GROUP_KEYS =
      Set.of("name", "group", "stat", "milestones");
  private static final Set<String> MILESTONE_KEYS =
      Set.of("name", "data_points", "field", "target", "comparator", "message");

  private final StatTypeRegistry types;
  private final Set<String> loaderTypes;
  private final boolean strict;

  /** A loader that knows the built-in stat types and the {@code redis} loader. */
  public ConfigLoader() {
    this(StatTypeRegistry.ofDefaults(), Set.of(REDIS));
  }

  /** A loader that knows these stat types and loader types. */
  public ConfigLoader(StatTypeRegistry types, Set<String> loaderTypes) {
    this(types, loaderTypes, false);
  }

  private ConfigLoader(StatTypeRegistry types, Set<String> loaderTypes, boolean strict) {
    this.types = types;
    this.loaderTypes = Set.copyOf(loaderTypes);
    this.strict = strict;
  }

  /**
   * A loader for which unknown keys are errors, as they were for the Go program, rather than
   * warnings: a misspelt {@code is_lve = false} then stops the start instead of serving live.
   */
  public ConfigLoader strict() {
    return new ConfigLoader(types, loaderTypes, true);
  }

  /**
   * Reads and checks {@code file}.
   *
   * @throws ConfigException listing every problem, each with file and line
   */
  public Config load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of(file + ": no such file"));
    } catch (CharacterCodingException e) {
      throw new ConfigException(List.of(notUtf8(file)));
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot be read: " + e.getMessage()));
    }
    return parse(file, text);
  }

  /** Where a file that is not UTF-8 first goes wrong: TOML files are UTF-8. */
  private static String notUtf8(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      CharsetDecoder utf8 =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT);
      int line = 1;
      int start = 0;
      for (int i = 0; i <= bytes.length; i++) {
        if (i == bytes.length || bytes[i] == '\n') {
          try {
            utf8.reset().decode(ByteBuffer.wrap(bytes, start, i - start));
          } catch (CharacterCodingException bad) {
            return file
                + ":"
                + line
                + ": is not UTF-8 text (a TOML file must be); save the file as UTF-8";
          }
          line++;
          start = i + 1;
        }
      }
    } catch (IOException e) {
      // Fall through to the general message.
    }
    return file + ": is not UTF-8 text (a TOML file must be); save the file as UTF-8";
  }

  /** Reads and checks configuration text, reporting problems against {@code file}. */
  public Config parse(Path file, String text) throws ConfigException {
    TomlParseResult toml = Toml.parse(text);
    if (toml.hasErrors()) {
      List<String> problems = new ArrayList<>();
      for (TomlParseError e : toml.errors()) {
        TomlPosition p = e.position();
        problems.add(
            file + (p == null ? "" : ":" + p.line() + ":" + p.column()) + ": " + e.getMessage());
      }
      throw new ConfigException(problems);
    }
    TomlReader r = new TomlReader(file.toString(), strict);
    r.unknownKeys(toml, "", TOP, null);

    RedisSettings redis = redis(r, toml);
    Optional<Config.Listener> listener = listener(r, toml);
    WebSocketSettings websocket = websocket(r, toml);
    DebounceSettings debounce = debounce(r, toml);
    Optional<Config.Web> web = web(r, toml);
    Config.Log log = log(r, toml);
    Optional<Config.Auth> auth = auth(r, toml);
    List<Config.SourceConfig> sources = sources(r, toml, auth.isPresent());
    if (auth.isPresent() && sources.stream().noneMatch(Config.SourceConfig::isPrivate)) {
      r.warn(
          toml,
          null,
          toml.inputPositionOf(List.of("auth")),
          "[auth] is given but no source has private = true: every source is open to all");
    }

    if (!r.errors.isEmpty()) {
      throw new ConfigException(r.errors, r.warnings);
    }
    return new Config(
        file,
        redis,
        listener,
        websocket,
        debounce,
        web,
        sources,
        List.copyOf(r.warnings),
        types,
        log,
        auth);
  }

  private static TomlTable section(TomlReader r, TomlTable root, String name, Set<String> known) {
    Optional<TomlTable> t = r.table(root, name, "", null);
    t.ifPresent(table -> r.unknownKeys(table, name, known, root.inputPositionOf(List.of(name))));
    return t.orElse(null);
  }

  private static RedisSettings redis(TomlReader r, TomlTable root) {
    RedisSettings.Builder b = RedisSettings.builder();
    TomlTable t = section(r, root, "redis", REDIS_KEYS);
    if (t == null) {
      return b.build();
    }
    TomlPosition where = root.inputPositionOf(List.of("redis"));
    try {
      r.string(t, "server", "redis", where).ifPresent(b::address);
    } catch (IllegalArgumentException e) {
      r.error(t, "server", where, "redis.server", e.getMessage() + " (expected \"host:port\")");
    }
    r.string(t, "password", "redis", where).ifPresent(b::password);
    r.string(t, "user", "redis", where).ifPresent(b::user);
    if (t.contains("sentinels")) {
      sentinel(r, t, where, b);
    }
    boolean cluster = t.contains("cluster");
    if (cluster) {
      cluster(r, t, where, b);
    }
    Optional<Long> db = r.integer(t, "db", "redis", where);
    if (db.isPresent()) {
      b.database(db.get().intValue());
    } else if (cluster) {
      // A cluster has only database 0: there is nothing to choose, nor to warn about.
      b.database(0);
    } else {
      // The Go program decoded a [redis] table over its defaults whole: a table without db meant
      // database 0. A site switching over must see the data it saw.
      b.database(0);
      r.warn(
          root,
          "redis",
          null,
          "[redis] has no db: reading database 0, as the Go program did for a [redis] table"
              + " without db (database 1 only when there is no [redis] table at all);"
              + " write db = 0 to say so and silence this");
    }
    r.integer(t, "max_idle", "redis", where).ifPresent(v -> b.maxIdle(v.intValue()));
    r.integer(t, "idle_timeout", "redis", where)
        .ifPresent(v -> b.idleTimeout(Duration.ofSeconds(v)));
    r.bool(t, "tls", "redis", where).ifPresent(b::tls);
    r.bool(t, "verify_hostname", "redis", where).ifPresent(b::verifyHostname);
    Optional<String> trustPassword = r.string(t, "trust_store_password", "redis", where);
    r.string(t, "trust_store", "redis", where)
        .ifPresent(p -> b.trustStore(Path.of(p), trustPassword.orElse(null)));
    r.integer(t, "connect_timeout_ms", "redis", where)
        .ifPresent(v -> b.connectTimeout(Duration.ofMillis(v)));
    r.integer(t, "read_timeout_ms", "redis", where)
        .ifPresent(v -> b.readTimeout(Duration.ofMillis(v)));
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      r.error(root, "redis", null, "redis", e.getMessage());
      return RedisSettings.ofDefaults();
    }
  }

  private static void sentinel(
      TomlReader r, TomlTable t, TomlPosition where, RedisSettings.Builder b) {
    if (t.contains("server")) {
      r.error(
          t,
          "sentinels",
          where,
          "redis.sentinels",
          "and redis.server exclude each other: Sentinel names the master");
    }
    List<RedisSettings.Endpoint> sentinels = endpoints(r, t, "sentinels", where);
    Optional<String> master = r.string(t, "master_name", "redis", where);
    if (master.isEmpty() || sentinels.isEmpty()) {
      r.error(
          t,
          "sentinels",
          where,
          "redis.sentinels",
          "needs at least one \"host:port\" and redis.master_name, the name Sentinel monitors");
      return;
    }
    b.sentinel(master.get(), sentinels)
        .sentinelAuth(
            r.string(t, "sentinel_user", "redis", where).orElse(null),
            r.string(t, "sentinel_password", "redis", where).orElse(null));
  }

  private static void cluster(
      TomlReader r, TomlTable t, TomlPosition where, RedisSettings.Builder b) {
    for (String other : List.of("server", "sentinels")) {
      if (t.contains(other)) {
        r.error(
            t,
            "cluster",
            where,
            "redis.cluster",
            "and redis." + other + " exclude each other: the cluster's nodes are the servers");
      }
    }
    List<RedisSettings.Endpoint> nodes = endpoints(r, t, "cluster", where);
    if (nodes.isEmpty()) {
      r.error(
          t,
          "cluster",
          where,
          "redis.cluster",
          "needs at least one \"host:port\" of a cluster node to discover the others from");
      return;
    }
    b.cluster(nodes);
  }

  private static List<RedisSettings.Endpoint> endpoints(
      TomlReader r, TomlTable t, String key, TomlPosition where) {
    List<RedisSettings.Endpoint> endpoints = new ArrayList<>();
    for (String s : strings(r, t, key, "redis", where, "\"host:port\" strings")) {
      try {
        endpoints.add(RedisSettings.Endpoint.parse(s));
      } catch (IllegalArgumentException e) {
        r.error(t, key, where, "redis." + key, e.getMessage());
      }
    }
    return endpoints;
  }

  private static Optional<Config.Listener> listener(TomlReader r, TomlTable root) {
    TomlTable https = section(r, root, "https", HTTPS_KEYS);
    TomlTable http = section(r, root, "http", HTTP_KEYS);
    // Relative paths are taken from the working directory, as the Go program's were.
    if (https != null) {
      return tlsListener(r, https, "https", root.inputPositionOf(List.of("https")), true);
    }
    if (http != null) {
      TomlPosition where = root.inputPositionOf(List.of("http"));
      Optional<String> address =
          r.required(
              r.string(http, "address", "http", where),
              http,
              "address",
              "http",
              where,
              "host:port to listen on");
      address.ifPresent(a -> checkAddress(r, http, "http", a, where));
      return address.map(Config.Listener.Plain::new);
    }
    return Optional.empty();
  }

  /**
   * A listener with the keys of {@code [https]}: TLS with {@code cert} and {@code key} or with
   * {@code pkcs12}, or, when {@code tlsRequired} is false and none is given, plain.
   */
  private static Optional<Config.Listener> tlsListener(
      TomlReader r, TomlTable t, String section, TomlPosition where, boolean tlsRequired) {
    Optional<String> address =
        r.required(
            r.string(t, "address", section, where),
            t,
            "address",
            section,
            where,
            "host:port to listen on");
    Optional<String> cert = r.string(t, "cert", section, where);
    Optional<String> key = r.string(t, "key", section, where);
    Optional<String> pkcs12 = r.string(t, "pkcs12", section, where);
    boolean tls = tlsRequired || cert.isPresent() || key.isPresent() || pkcs12.isPresent();
    if (tls && pkcs12.isEmpty()) {
      r.required(cert, t, "cert", section, where, "a PEM certificate chain, or pkcs12 instead");
      r.required(key, t, "key", section, where, "a PEM private key, or pkcs12 instead");
    }
    if (address.isEmpty()) {
      return Optional.empty();
    }
    checkAddress(r, t, section, address.get(), where);
    if (!tls) {
      return Optional.of(new Config.Listener.Plain(address.get()));
    }
    if (pkcs12.isPresent()) {
      return Optional.of(
          new Config.Listener.TlsPkcs12(
              address.get(),
              Path.of(pkcs12.get()),
              r.string(t, "pkcs12_password", section, where).orElse(null)));
    }
    if (cert.isEmpty() || key.isEmpty()) {
      return Optional.empty(); // reported above
    }
    return Optional.of(
        new Config.Listener.TlsPem(
            address.get(),
            Path.of(cert.get()),
            Path.of(key.get()),
            r.string(t, "key_password", section, where).orElse(null)));
  }

  private static Optional<Config.Web> web(TomlReader r, TomlTable root) {
    TomlTable t = section(r, root, "web", WEB_KEYS);
    if (t == null) {
      return Optional.empty();
    }
    TomlPosition where = root.inputPositionOf(List.of("web"));
    Optional<Config.Listener> listener = tlsListener(r, t, "web", where, false);
    List<String> cors =
        strings(
            r, t, "cors_origins", "web", where, "origins such as \"https://example.org\" or \"*\"");
    boolean dashboard = r.bool(t, "dashboard", "web", where).orElse(true);
    boolean metrics = r.bool(t, "metrics", "web", where).orElse(true);
    long maxAge = r.integer(t, "snapshot_max_age_ms", "web", where).orElse(1000L);
    if (maxAge < 0) {
      r.error(
          t,
          "snapshot_max_age_ms",
          where,
          "web.snapshot_max_age_ms",
          "must not be negative, got " + maxAge);
    }
    long requestTimeout =
        r.integer(t, "request_timeout_ms", "web", where)
            .orElse(Config.Web.DEFAULT_REQUEST_TIMEOUT.toMillis());
    if (requestTimeout < 100) {
      r.error(
          t,
          "request_timeout_ms",
          where,
          "web.request_timeout_ms",
          "must be at least 100, got " + requestTimeout);
    }
    return listener.map(
        l ->
            new Config.Web(
                l,
                cors,
                dashboard,
                metrics,
                Duration.ofMillis(Math.max(0, maxAge)),
                Duration.ofMillis(Math.max(100, requestTimeout))));
  }

  private static Optional<Config.Auth> auth(TomlReader r, TomlTable root) {
    TomlTable t = section(r, root, "auth", AUTH_KEYS);
    if (t == null) {
      return Optional.empty();
    }
    TomlPosition where = root.inputPositionOf(List.of("auth"));
    Optional<String> secret = r.string(t, "hmac_secret_file", "auth", where);
    Optional<String> key = r.string(t, "public_key_file", "auth", where);
    if (secret.isPresent() == key.isPresent()) {
      r.error(
          t,
          secret.isPresent() ? "public_key_file" : null,
          where,
          "auth",
          secret.isPresent()
              ? "give one of hmac_secret_file and public_key_file, not both: tokens are verified"
                  + " with one key"
              : "needs hmac_secret_file (a shared secret, HS256) or public_key_file (a PEM RSA or"
                  + " EC public key) to verify tokens with");
    }
    long leeway = r.integer(t, "leeway_seconds", "auth", where).orElse(30L);
    if (leeway < 0 || leeway > 3600) {
      r.error(
          t,
          "leeway_seconds",
          where,
          "auth.leeway_seconds",
          "must be between 0 and 3600, got " + leeway);
    }
    return Optional.of(
        new Config.Auth(
            secret.map(Path::of),
            key.map(Path::of),
            r.string(t, "issuer", "auth", where),
            r.string(t, "audience", "auth", where),
            Duration.ofSeconds(Math.max(0, Math.min(3600, leeway)))));
  }

  private static Config.Log log(TomlReader r, TomlTable root) {
    TomlTable t = section(r, root, "log", LOG_KEYS);
    if (t == null) {
      return Config.Log.DEFAULT;
    }
    TomlPosition where = root.inputPositionOf(List.of("log"));
    String level = r.string(t, "level", "log", where).orElse("info");
    if (!LEVELS.contains(level)) {
      r.error(
          t,
          "level",
          where,
          "log.level",
          "expected one of " + String.join(", ", LEVELS) + ", got '" + level + "'");
    }
    String format = r.string(t, "format", "log", where).orElse("text");
    if (!format.equals("text") && !format.equals("json")) {
      r.error(
          t, "format", where, "log.format", "expected \"text\" or \"json\", got '" + format + "'");
    }
    Map<String, String> levels = new HashMap<>();
    r.table(t, "levels", "log", where)
        .ifPresent(
            lt -> {
              for (String logger : lt.keySet()) {
                Object v = lt.get(List.of(logger));
                if (v instanceof String s && LEVELS.contains(s)) {
                  levels.put(logger, s);
                } else {
                  r.error(
                      lt,
                      logger,
                      where,
                      "log.levels." + logger,
                      "expected one of " + String.join(", ", LEVELS));
                }
              }
            });
    return new Config.Log(level, format.equals("json"), levels);
  }

  /** An array of strings, each element checked. */
  private static List<String> strings(
      TomlReader r, TomlTable t, String key, String section, TomlPosition where, String expected) {
    List<String> out = new ArrayList<>();
    r.array(t, key, section, where)
        .ifPresent(
            a -> {
              for (int i = 0; i < a.size(); i++) {
                if (a.get(i) instanceof String s) {
                  out.add(s);
                } else {
                  r.error(t, key, where, section + "." + key, "expected " + expected);
                }
              }
            });
    return out;
  }

  private static void checkAddress(
      TomlReader r, TomlTable t, String section, String address, TomlPosition where) {
    try {
      WebSocketSettings.builder().address(address);
    } catch (IllegalArgumentException e) {
      r.error(t, "address", where, section + ".address", e.getMessage());
    }
  }

  private static WebSocketSettings websocket(TomlReader r, TomlTable root) {
    WebSocketSettings.Builder b = WebSocketSettings.builder();
    TomlTable t = section(r, root, "websocket", WEBSOCKET_KEYS);
    if (t != null) {
      TomlPosition where = root.inputPositionOf(List.of("websocket"));
      goZeroes(
          r,
          root,
          t,
          "websocket",
          new String[] {"write_wait", "pong_wait", "ping_period"},
          new String[] {"10 s", "60 s", "54 s"});
      r.integer(t, "write_wait", "websocket", where)
          .ifPresent(v -> b.writeWait(Duration.ofSeconds(v)));
      r.integer(t, "pong_wait", "websocket", where)
          .ifPresent(v -> b.pongWait(Duration.ofSeconds(v)));
      r.integer(t, "ping_period", "websocket", where)
          .ifPresent(v -> b.pingPeriod(Duration.ofSeconds(v)));
      r.integer(t, "snapshot_delay_ms", "websocket", where)
          .ifPresent(v -> b.snapshotDelay(Duration.ofMillis(v)));
      r.integer(t, "max_message_bytes", "websocket", where)
          .ifPresent(v -> b.maxInboundBytes(v.intValue()));
      r.integer(t, "max_connections", "websocket", where)
          .ifPresent(v -> b.maxConnections(v.intValue()));
      r.integer(t, "send_window_bytes", "websocket", where)
          .ifPresent(v -> b.sendWindowBytes((int) Math.min(Integer.MAX_VALUE, v)));
      r.integer(t, "send_window_ms", "websocket", where)
          .ifPresent(v -> b.sendWindowTime(Duration.ofMillis(v)));
      r.number(t, "max_stat_rate", "websocket", where).ifPresent(b::maxStatRate);
      r.integer(t, "max_handshake_bytes", "websocket", where)
          .ifPresent(v -> b.maxHandshakeBytes((int) Math.min(Integer.MAX_VALUE, v)));
      r.integer(t, "handshake_timeout_ms", "websocket", where)
          .ifPresent(v -> b.handshakeTimeout(Duration.ofMillis(v)));
      r.integer(t, "max_client_message_bytes", "websocket", where)
          .ifPresent(v -> b.maxClientMessageBytes((int) Math.min(Integer.MAX_VALUE, v)));
      r.number(t, "client_messages_per_second", "websocket", where)
          .ifPresent(b::clientMessagesPerSecond);
      r.integer(t, "drain_time_ms", "websocket", where)
          .ifPresent(v -> b.drainTime(Duration.ofMillis(v)));
      r.integer(t, "max_connections_per_ip", "websocket", where)
          .ifPresent(v -> b.maxConnectionsPerIp((int) Math.min(Integer.MAX_VALUE, v)));
      r.number(t, "max_handshakes_per_second", "websocket", where)
          .ifPresent(b::maxHandshakesPerSecond);
      r.bool(t, "allow_no_origin", "websocket", where).ifPresent(b::allowNoOrigin);
      r.bool(t, "compression", "websocket", where).ifPresent(b::compression);
      if (t.contains("max_queued_frames")) {
        r.warn(
            t,
            "max_queued_frames",
            where,
            "websocket.max_queued_frames is no longer used and is ignored: "
                + "send_window_bytes and send_window_ms now bound what each client has on its way to it");
      }
      if (t.contains("allowed_origins")) {
        b.allowedOrigins(
            strings(
                r,
                t,
                "allowed_origins",
                "websocket",
                where,
                "strings such as \"https://example.org\""));
      }
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      r.error(root, "websocket", null, "websocket", e.getMessage());
      return WebSocketSettings.builder().build();
    }
  }

  /**
   * Says which Go-era keys a partial table leaves out. The Go program decoded a table over its
   * defaults whole, so a key left out was 0: no debounce at all, timeouts that expire at once.
   * Those were defects, so the sane defaults stay; a switching site is told once, at start-up.
   */
  private static void goZeroes(
      TomlReader r, TomlTable root, TomlTable t, String section, String[] keys, String[] defaults) {
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < keys.length; i++) {
      if (!t.contains(keys[i])) {
        missing.add(keys[i] + " = " + defaults[i]);
      }
    }
    if (!missing.isEmpty() && missing.size() < keys.length) {
      r.warn(
          root,
          section,
          null,
          "["
              + section
              + "] leaves out "
              + String.join(", ", missing)
              + " (this server's defaults); the Go program took 0 for a key left out of a table it"
              + " was given, which it could not work with");
    }
  }

  private static DebounceSettings debounce(TomlReader r, TomlTable root) {
    TomlTable t = section(r, root, "debounce", DEBOUNCE_KEYS);
    if (t == null) {
      return DebounceSettings.DEFAULTS;
    }
    TomlPosition where = root.inputPositionOf(List.of("debounce"));
    goZeroes(
        r,
        root,
        t,
        "debounce",
        new String[] {"min_time_ms", "max_time_ms"},
        new String[] {
          DebounceSettings.DEFAULTS.minQuiet().toMillis() + " ms",
          DebounceSettings.DEFAULTS.maxWait().toMillis() + " ms"
        });
    long min =
        r.integer(t, "min_time_ms", "debounce", where)
            .orElse(DebounceSettings.DEFAULTS.minQuiet().toMillis());
    long max =
        r.integer(t, "max_time_ms", "debounce", where)
            .orElse(DebounceSettings.DEFAULTS.maxWait().toMillis());
    try {
      return DebounceSettings.ofMillis(min, max);
    } catch (IllegalArgumentException e) {
      r.error(root, "debounce", null, "debounce", e.getMessage());
      return DebounceSettings.DEFAULTS;
    }
  }

  private List<Config.SourceConfig> sources(TomlReader r, TomlTable root, boolean auth) {
    List<Config.SourceConfig> out = new ArrayList<>();
    Optional<TomlArray> array = r.array(root, "sources", "", null);
    if (array.isEmpty()) {
      return out;
    }
    Set<String> names = new HashSet<>();
    for (TomlReader.Item source :
        r.tables(root, "sources", array.get(), "", "a table ([[sources]])", SOURCE_KEYS)) {
      TomlTable t = source.table();
      String path = source.path();
      TomlPosition where = source.where();
      Optional<String> name =
          r.required(
              r.string(t, "name", path, where),
              t,
              "name",
              path,
              where,
              "the source's name and endpoint path");
      if (name.isPresent() && !names.add(name.get())) {
        r.error(t, "name", where, path + ".name", "source name '" + name.get() + "' is used twice");
      }
      source(r, t, path, where, name.orElse("source" + source.index()), auth).ifPresent(out::add);
    }
    return out;
  }

  private Optional<Config.SourceConfig> source(
      TomlReader r, TomlTable t, String path, TomlPosition where, String name, boolean auth) {
    int errorsBefore = r.errors.size();
    SourceDefinition.Builder b = SourceDefinition.builder(name);
    // Where each thing handed to the builder came from, by the path the builder's problems use.
    Map<String, Place> places = new HashMap<>();
    places.put("", new Place(t, path, where));
    Optional<String> prefix = r.string(t, "redis_prefix", path, where);
    r.offsetDateTime(t, "start_time", path, where).ifPresent(s -> b.startTime(s.toInstant()));
    r.offsetDateTime(t, "end_time", path, where).ifPresent(e -> b.endTime(e.toInstant()));
    Optional<Boolean> live = r.bool(t, "is_live", path, where);
    b.live(live.orElse(true));
    if (live.isEmpty()) {
      r.warn(
          t,
          null,
          where,
          path
              + ".is_live is absent: the source is served live, following changes (SPEC), where the"
              + " Go program loaded it once, as archived; write is_live = true, or false for an"
              + " archived event, to say which");
    }

    Optional<TomlArray> periods = r.array(t, "timed_stat_periods", path, where);
    if (periods.isPresent()) {
      int given = 0;
      for (TomlReader.Item period :
          r.tables(
              t,
              "timed_stat_periods",
              periods.get(),
              path,
              "{ granularity = SECONDS, cycles = N }",
              PERIOD_KEYS)) {
        TomlTable pt = period.table();
        String pp = period.path();
        TomlPosition pw = period.where();
        Optional<Long> g =
            r.required(
                r.integer(pt, "granularity", pp, pw),
                pt,
                "granularity",
                pp,
                pw,
                "bucket size in seconds");
        Optional<Long> c =
            r.required(
                r.integer(pt, "cycles", pp, pw),
                pt,
                "cycles",
                pp,
                pw,
                "-1 for the whole event, N for a moving window");
        if (g.isPresent() && c.isPresent()) {
          places.put("timed_stat_periods[" + given++ + "]", new Place(pt, pp, pw));
          b.timedPeriod(g.get(), c.get());
        }
      }
    }

    boolean usesRedis = false;
    Map<String, StatLabel> labels = new HashMap<>();
    Optional<TomlTable> statsTable = r.table(t, "stats", path, where);
    if (statsTable.isPresent()) {
      TomlTable st = statsTable.get();
      TomlPosition sw = t.inputPositionOf(List.of("stats"));
      r.unknownKeys(st, path + ".stats", Set.copyOf(GROUPS), sw);
      for (String group : GROUPS) {
        Optional<TomlArray> list = r.array(st, group, path + ".stats", sw);
        if (list.isEmpty()) {
          continue;
        }
        int given = 0;
        for (TomlReader.Item item :
            r.tables(
                st, group, list.get(), path + ".stats", "{ name = \"...\", ... }", STAT_KEYS)) {
          TomlTable stat = item.table();
          String sp = item.path();
          TomlPosition spw = item.where();
          Optional<String> statName =
              r.required(r.string(stat, "name", sp, spw), stat, "name", sp, spw, "the stat's name");
          Optional<String> period = r.string(stat, "period", sp, spw);
          Optional<String> dataType = r.string(stat, "data_type", sp, spw);
          String loaderType = r.string(stat, "loader_type", sp, spw).orElse(REDIS);
          if (statName.isEmpty()) {
            continue;
          }
          // Which loaders exist is this file's business, not the definition's.
          if (!loaderTypes.contains(loaderType)) {
            r.error(
                stat,
                "loader_type",
                spw,
                sp + ".loader_type",
                "unknown loader type '"
                    + loaderType
                    + "'; known: "
                    + String.join(", ", loaderTypes));
            continue;
          }
          StatDefinition def;
          try {
            def =
                new StatDefinition(
                    group, statName.get(), period.orElse(null), dataType.orElse(null), loaderType);
          } catch (IllegalArgumentException e) {
            r.error(stat, "name", spw, sp, e.getMessage());
            continue;
          }
          places.put("stats." + group + "[" + given++ + "]", new Place(stat, sp, spw));
          usesRedis |= loaderType.equals(REDIS);
          b.stat(def);
          label(r, stat, sp, spw).ifPresent(l -> labels.put(group + ":" + def.key(), l));
        }
      }
    }
    if (usesRedis && prefix.filter(p -> !p.isEmpty()).isEmpty()) {
      r.error(
          t,
          null,
          where,
          path + ".redis_prefix",
          "is required: stats of this source are read from Redis");
    }

    milestones(r, t, path, where, b, places);

    // Every rule of the definition and of its stat types is theirs; this only says where.
    for (Problem problem : b.problems(types)) {
      report(r, places, problem);
    }
    if (r.errors.size() > errorsBefore) {
      return Optional.empty();
    }
    boolean isPrivate = r.bool(t, "private", path, where).orElse(false);
    if (isPrivate && !auth) {
      // Readable by no one: surely not what was meant.
      r.error(
          t,
          "private",
          where,
          path + ".private",
          "is true, but there is no [auth] table to verify clients' tokens with: add [auth] with"
              + " hmac_secret_file or public_key_file");
    }
    return Optional.of(new Config.SourceConfig(b.build(), prefix.orElse(""), labels, isPrivate));
  }

  /** A stat's {@code label} and {@code labels} (data point names for people), if it has either. */
  private static Optional<StatLabel> label(
      TomlReader r, TomlTable stat, String sp, TomlPosition spw) {
    Optional<String> label = r.string(stat, "label", sp, spw);
    Map<String, String> points = new HashMap<>();
    r.table(stat, "labels", sp, spw)
        .ifPresent(
            lt -> {
              for (String point : lt.keySet()) {
                if (lt.get(List.of(point)) instanceof String text) {
                  points.put(point, text);
                } else {
                  r.error(
                      lt,
                      point,
                      spw,
                      sp + ".labels." + point,
                      "expected the data point's name for people, e.g. PG = \"Postgraduate\"");
                }
              }
            });
    if (label.isEmpty() && points.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new StatLabel(label.orElse(null), points));
  }

  /** Where in the file one item handed to the builder was: its table, its path and its line. */
  private record Place(TomlTable table, String path, TomlPosition where) {}

  /**
   * Reports a definition's problem at the item its path names, or the nearest enclosing one: the
   * rest of the path is the key within that item, whose line is given when it is present.
   */
  private static void report(TomlReader r, Map<String, Place> places, Problem problem) {
    String item = problem.path();
    String key = null;
    while (!places.containsKey(item)) {
      int dot = item.lastIndexOf('.');
      String last = item.substring(dot + 1);
      key = key == null ? last : last + "." + key;
      item = dot < 0 ? "" : item.substring(0, dot);
    }
    Place place = places.get(item);
    r.error(
        place.table(),
        key,
        place.where(),
        key == null ? place.path() : place.path() + "." + key,
        problem.message());
  }

  private static void milestones(
      TomlReader r,
      TomlTable t,
      String path,
      TomlPosition where,
      SourceDefinition.Builder b,
      Map<String, Place> places) {
    Optional<TomlArray> groups = r.array(t, "milestones", path, where);
    if (groups.isEmpty()) {
      return;
    }
    int givenGroups = 0;
    for (TomlReader.Item item :
        r.tables(
            t,
            "milestones",
            groups.get(),
            path,
            "a table ([[sources.milestones]])",
            MILESTONE_GROUP_KEYS)) {
      TomlTable g = item.table();
      String gp = item.path();
      TomlPosition gw = item.where();
      Optional<String> name = r.string(g, "name", gp, gw);
      Optional<String> group =
          r.required(r.string(g, "group", gp, gw), g, "group", gp, gw, "the stat's group");
      Optional<String> stat =
          r.required(r.string(g, "stat", gp, gw), g, "stat", gp, gw, "the stat's key in its group");
      if (group.isEmpty() || stat.isEmpty()) {
        continue;
      }
      String groupPath = "milestones[" + givenGroups++ + "]";
      places.put(groupPath, new Place(g, gp, gw));
      List<MilestoneDefinition> defs = new ArrayList<>();
      Optional<TomlArray> list = r.array(g, "milestones", gp, gw);
      Iterable<TomlReader.Item> milestones =
          list.isEmpty()
              ? List.of()
              : r.tables(
                  g,
                  "milestones",
                  list.get(),
                  gp,
                  "{ name = ..., field = ..., target = ..., comparator = ..., message = ... }",
                  MILESTONE_KEYS);
      for (TomlReader.Item milestone : milestones) {
        milestone(r, milestone)
            .ifPresent(
                m -> {
                  places.put(
                      groupPath + ".milestones[" + defs.size() + "]",
                      new Place(milestone.table(), milestone.path(), milestone.where()));
                  defs.add(m);
                });
      }
      b.milestones(new MilestoneGroup(name.orElse(stat.get()), group.get(), stat.get(), defs));
    }
  }

  private static Optional<MilestoneDefinition> milestone(TomlReader r, TomlReader.Item milestone) {
    TomlTable m = milestone.table();
    String mp = milestone.path();
    TomlPosition mw = milestone.where();
    Optional<String> name =
        r.required(r.string(m, "name", mp, mw), m, "name", mp, mw, "the milestone's name");
    Optional<String> field =
        r.required(r.string(m, "field", mp, mw), m, "field", mp, mw, "the data field to compare");
    Optional<Double> target =
        r.required(r.number(m, "target", mp, mw), m, "target", mp, mw, "a number");
    Optional<String> comparator =
        r.required(
            r.string(m, "comparator", mp, mw), m, "comparator", mp, mw, "one of > >= = == <= <");
    String message = r.string(m, "message", mp, mw).orElse("");
    List<String> dataPoints = new ArrayList<>();
    r.array(m, "data_points", mp, mw)
        .ifPresent(
            a -> {
              for (int k = 0; k < a.size(); k++) {
                if (a.get(k) instanceof String s) {
                  dataPoints.add(s);
                } else {
                  r.error(
                      m,
                      "data_points",
                      mw,
                      mp + ".data_points",
                      "expected data point names, e.g. [\"PG\", \"T\"]");
                }
              }
            });
    Optional<ComparisonOperator> operator = Optional.empty();
    if (comparator.isPresent()) {
      try {
        operator = Optional.of(ComparisonOperator.parse(comparator.get()));
      } catch (IllegalArgumentException e) {
        r.error(m, "comparator", mw, mp + ".comparator", e.getMessage());
      }
    }
    if (name.isEmpty() || field.isEmpty() || target.isEmpty() || operator.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new MilestoneDefinition(
              name.get(), dataPoints, field.get(), target.get(), operator.get(), message));
    } catch (IllegalArgumentException e) {
      r.error(m, "field", mw, mp + ".field", e.getMessage());
      return Optional.empty();
    }
  }
}
