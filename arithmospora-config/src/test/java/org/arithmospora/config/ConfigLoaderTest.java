package org.arithmospora.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.arithmospora.core.MilestoneGroup;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.TimedPeriod;
import org.arithmospora.redis.RedisSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  private static final Path FILE = Path.of("test.conf");

  private static Config parse(String toml) throws ConfigException {
    return new ConfigLoader().parse(FILE, toml);
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(ConfigLoaderTest.class.getResource("/" + name).toURI());
  }

  @Test
  void aConfigInTheGoProgramsFormatWorksUnchanged() throws Exception {
    Config config = new ConfigLoader().load(resource("election.conf"));
    assertThat(config.warnings()).isEmpty();
    assertThat(config.redis().address()).isEqualTo("localhost:6379");
    assertThat(config.redis().database()).isEqualTo(1);
    assertThat(config.redis().maxIdle()).isEqualTo(3);
    assertThat(config.redis().idleTimeout()).isEqualTo(Duration.ofMinutes(4));
    Config.Listener https = config.listener().orElseThrow();
    assertThat(https.tls()).isTrue();
    assertThat(https.address()).isEqualTo("stats.example.org:8443");
    assertThat(https)
        .isInstanceOfSatisfying(
            Config.Listener.TlsPem.class,
            pem -> assertThat(pem.cert()).isEqualTo(Path.of("/etc/ssl/stats-chain.pem")));
    assertThat(config.websocket().delivery().pingPeriod()).isEqualTo(Duration.ofSeconds(54));
    assertThat(config.debounce().maxWait()).isEqualTo(Duration.ofSeconds(1));

    assertThat(config.sources())
        .extracting(Config.SourceConfig::name)
        .containsExactly("election2017", "archive2016");
    Config.SourceConfig election = config.sources().get(0);
    assertThat(election.redisPrefix()).isEqualTo("election:2017");
    SourceDefinition def = election.definition();
    assertThat(def.isLive()).isTrue();
    assertThat(def.startTime()).contains(Instant.parse("2017-03-03T12:00:00Z"));
    assertThat(def.timedPeriods())
        .containsExactly(
            new TimedPeriod(60, 30), new TimedPeriod(300, -1), new TimedPeriod(3600, -1));
    assertThat(def.groups().keySet()).containsExactly("proportion", "rolling", "timed", "other");
    assertThat(def.groups().get("rolling"))
        .extracting(StatDefinition::key)
        .containsExactly("5m:total", "5m:studytypes", "1h:total");
    assertThat(def.groups().get("other"))
        .extracting(StatDefinition::key)
        .containsExactly("totalvotes", "5m:totalvotes", "candidates");
    assertThat(def.groups().get("other"))
        .extracting(StatDefinition::dataType)
        .containsExactly("single_value", "single_value", "generic");
    assertThat(def.groups().get("timed").get(0).dataType()).isEqualTo("timed");
    assertThat(def.milestoneGroups())
        .extracting(MilestoneGroup::statKey)
        .containsExactly("total", "studytypes", "5m:total");
    assertThat(def.milestoneGroups().get(0).milestones().get(1).comparator()).isEqualTo("==");
    assertThat(def.milestoneGroups().get(1).milestones().get(0).dataPointNames())
        .containsExactly("PG", "T");
    assertThat(config.sources().get(1).definition().isLive()).isFalse();
  }

  @Test
  void defaultsAreTheGoProgramsWhereKeysAreAbsent() throws Exception {
    Config config =
        parse(
            """
        [http]
        address = ":8080"
        [[sources]]
        name = "e"
        redis_prefix = "e"
          [sources.stats]
          proportion = [ { name = "total" } ]
        """);
    assertThat(config.redis().address()).isEqualTo("localhost:6379");
    assertThat(config.redis().database()).isEqualTo(1);
    assertThat(config.websocket().delivery().writeWait()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.websocket().delivery().pongWait()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.websocket().delivery().sendWindowBytes()).isEqualTo(64 * 1024);
    assertThat(config.websocket().delivery().sendWindowTime()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.websocket().delivery().maxStatRate()).as("no cap by default").isZero();
    assertThat(config.debounce().minQuiet()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.sources().get(0).definition().isLive())
        .as("is_live defaults to true")
        .isTrue();
    assertThat(config.sources().get(0).definition().stats().get(0).loaderType()).isEqualTo("redis");
    assertThat(config.listener().orElseThrow().tls()).isFalse();
  }

  @Test
  void eachKindOfListenerIsItsOwnTypeAndNeverShowsItsPassword() throws Exception {
    Config pem =
        parse(
            "[https]\naddress = \":8443\"\ncert = \"c.pem\"\nkey = \"k.pem\"\n"
                + "key_password = \"s3cret-pem\"\n");
    assertThat(pem.listener().orElseThrow())
        .isEqualTo(
            new Config.Listener.TlsPem(":8443", Path.of("c.pem"), Path.of("k.pem"), "s3cret-pem"));
    assertThat(pem.listener().orElseThrow().toString())
        .contains("c.pem", "k.pem", "keyPassword=(set)")
        .doesNotContain("s3cret-pem");

    Config pkcs12 =
        parse(
            "[https]\naddress = \":8443\"\npkcs12 = \"site.p12\"\n"
                + "pkcs12_password = \"s3cret-p12\"\n");
    assertThat(pkcs12.listener().orElseThrow())
        .isInstanceOf(Config.Listener.TlsPkcs12.class)
        .extracting(Config.Listener::tls)
        .isEqualTo(true);
    assertThat(pkcs12.listener().orElseThrow().toString())
        .contains("site.p12", "password=(set)")
        .doesNotContain("s3cret-p12");

    Config plain = parse("[http]\naddress = \":8080\"\n");
    assertThat(plain.listener().orElseThrow()).isEqualTo(new Config.Listener.Plain(":8080"));
  }

  @Test
  void flowControlAndHandshakeKeysAreRead() throws Exception {
    Config config =
        parse(
            """
        [websocket]
        send_window_bytes = 16384
        send_window_ms = 500
        max_stat_rate = 2.5
        max_handshake_bytes = 4096
        handshake_timeout_ms = 2500
        max_client_message_bytes = 512
        client_messages_per_second = 3
        drain_time_ms = 1500
        max_connections_per_ip = 20
        max_handshakes_per_second = 200
        allow_no_origin = false
        """);
    assertThat(config.warnings()).isEmpty();
    assertThat(config.websocket().maxHandshakeBytes()).isEqualTo(4096);
    assertThat(config.websocket().handshakeTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(config.websocket().delivery().maxClientMessageBytes()).isEqualTo(512);
    assertThat(config.websocket().delivery().clientMessagesPerSecond()).isEqualTo(3.0);
    assertThat(config.websocket().drainTime()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.websocket().maxConnectionsPerIp()).isEqualTo(20);
    assertThat(config.websocket().maxHandshakesPerSecond()).isEqualTo(200.0);
    assertThat(config.websocket().allowNoOrigin()).isFalse();
    assertThat(config.websocket().delivery().sendWindowBytes()).isEqualTo(16384);
    assertThat(config.websocket().delivery().sendWindowTime()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.websocket().delivery().maxStatRate()).isEqualTo(2.5);
    assertThat(parse("[websocket]\nmax_stat_rate = 2\n").websocket().delivery().maxStatRate())
        .isEqualTo(2.0);
  }

  @Test
  void theRetiredMaxQueuedFramesIsAWarningThatSaysWhatReplacedIt() throws Exception {
    Config config =
        parse(
            """
        [websocket]
        max_queued_frames = 64
        """);
    assertThat(config.warnings())
        .singleElement()
        .asString()
        .startsWith("test.conf:2: websocket.max_queued_frames is no longer used and is ignored")
        .contains("send_window_bytes");
  }

  @Test
  void httpsWinsOverHttp() throws Exception {
    Config config =
        parse(
            """
        [http]
        address = ":8080"
        [https]
        address = ":8443"
        cert = "c.pem"
        key = "k.pem"
        """);
    assertThat(config.listener().orElseThrow().address()).isEqualTo(":8443");
  }

  @Test
  void aWebTableConfiguresTheHttpSideAndAGoFileHasNone() throws Exception {
    Config web =
        parse(
            """
        [web]
        address = "127.0.0.1:8081"
        cors_origins = [ "https://results.example" ]
        dashboard = false
        snapshot_max_age_ms = 5000
        request_timeout_ms = 2000
        """);
    Config.Web w = web.web().orElseThrow();
    assertThat(w.listener()).isEqualTo(new Config.Listener.Plain("127.0.0.1:8081"));
    assertThat(w.corsOrigins()).containsExactly("https://results.example");
    assertThat(w.dashboard()).isFalse();
    assertThat(w.metrics()).isTrue();
    assertThat(w.snapshotMaxAge()).isEqualTo(Duration.ofSeconds(5));
    assertThat(w.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(parse("[web]\naddress = \":8081\"\n").web().orElseThrow().requestTimeout())
        .isEqualTo(Duration.ofSeconds(30));
    Config tls = parse("[web]\naddress = \":8443\"\ncert = \"c.pem\"\nkey = \"k.pem\"\n");
    assertThat(tls.web().orElseThrow().listener().tls()).isTrue();
    assertThat(parse("[http]\naddress = \":8080\"\n").web()).isEmpty();
  }

  @Test
  void sentinelsAndTheMasterNameChooseSentinel() throws Exception {
    Config c =
        parse(
            "[redis]\nsentinels = [\"s1:26379\", \"[::1]:26380\"]\nmaster_name = \"election\"\n"
                + "sentinel_password = \"pw\"\ndb = 1\n");
    assertThat(c.redis().topology()).isEqualTo(RedisSettings.Topology.SENTINEL);
    assertThat(c.redis().masterName()).contains("election");
    assertThat(c.redis().sentinels())
        .containsExactly(
            new RedisSettings.Endpoint("s1", 26379), new RedisSettings.Endpoint("::1", 26380));
    assertThat(c.redis().sentinelPassword()).contains("pw");
    assertThat(c.redis().database()).isEqualTo(1);
  }

  @Test
  void compressionIsOnUnlessTurnedOff() throws Exception {
    assertThat(parse("[websocket]\nwrite_wait = 10\n").websocket().compression()).isTrue();
    assertThat(parse("[websocket]\ncompression = false\n").websocket().compression()).isFalse();
  }

  @Test
  void anAuthTableAndPrivateSourcesSayWhoMayReadWhat() throws Exception {
    Config c =
        parse(
            "[auth]\nhmac_secret_file = \"/etc/arithmospora/jwt.secret\"\n"
                + "issuer = \"https://results.example\"\nleeway_seconds = 5\n"
                + "[[sources]]\nname = \"results\"\nis_live = true\nprivate = true\n"
                + "[[sources]]\nname = \"election\"\nis_live = true\n");
    Config.Auth auth = c.auth().orElseThrow();
    assertThat(auth.hmacSecretFile())
        .contains(java.nio.file.Path.of("/etc/arithmospora/jwt.secret"));
    assertThat(auth.publicKeyFile()).isEmpty();
    assertThat(auth.issuer()).contains("https://results.example");
    assertThat(auth.audience()).isEmpty();
    assertThat(auth.leeway()).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(c.source("results").isPrivate()).isTrue();
    assertThat(c.source("election").isPrivate()).isFalse();
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void anAuthTableWithNoPrivateSourceIsAWarning() throws Exception {
    Config c =
        parse("[auth]\npublic_key_file = \"k.pem\"\n[[sources]]\nname = \"e\"\nis_live = true\n");
    assertThat(c.auth().orElseThrow().leeway()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(c.warnings())
        .singleElement()
        .asString()
        .contains("test.conf:1: [auth] is given but no source has private = true");
  }

  @Test
  void clusterNodesChooseAClusterOnDatabaseZeroWithoutAWarning() throws Exception {
    Config c = parse("[redis]\ncluster = [\"n1:7000\", \"n2:7001\"]\n");
    assertThat(c.redis().topology()).isEqualTo(RedisSettings.Topology.CLUSTER);
    assertThat(c.redis().clusterNodes())
        .containsExactly(
            new RedisSettings.Endpoint("n1", 7000), new RedisSettings.Endpoint("n2", 7001));
    assertThat(c.redis().database()).isZero();
    assertThat(c.warnings()).noneMatch(w -> w.contains("db"));
  }

  @Test
  void aRedisTableWithoutDbReadsDatabaseZeroAsTheGoProgramDid() throws Exception {
    Config goSample = parse("[redis]\nserver = \"localhost:6379\"\n");
    assertThat(goSample.redis().database()).isZero();
    assertThat(goSample.warnings())
        .singleElement()
        .asString()
        .startsWith("test.conf:1: [redis] has no db: reading database 0")
        .contains("write db = 0");
    Config explicit = parse("[redis]\nserver = \"localhost:6379\"\ndb = 0\n");
    assertThat(explicit.redis().database()).isZero();
    assertThat(explicit.warnings()).isEmpty();
    assertThat(parse("[http]\naddress = \":8080\"\n").redis().database()).isEqualTo(1);
  }

  @Test
  void goEraTrapsAreSaidAtStartUp() throws Exception {
    Config config =
        parse(
            """
        [redis]
        db = 1
        [debounce]
        min_time_ms = 50
        [websocket]
        write_wait = 5
        [[sources]]
        name = "e"
        """);
    assertThat(config.debounce().maxWait()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.websocket().delivery().pongWait()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.sources().get(0).definition().isLive()).isTrue();
    assertThat(config.warnings())
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith("test.conf:3: [debounce] leaves out max_time_ms = 1000 ms")
                    .contains("the Go program took 0"))
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith(
                        "test.conf:5: [websocket] leaves out pong_wait = 60 s, ping_period = 54 s"))
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith(
                        "test.conf:7: sources[0].is_live is absent: the source is served live"));
    assertThat(parse("[[sources]]\nname = \"e\"\nis_live = true\n").warnings()).isEmpty();
  }

  @Test
  void statsMayHaveLabelsForPages() throws Exception {
    Config config =
        parse(
            """
        [[sources]]
        name = "e"
        redis_prefix = "e"
        is_live = true
          [sources.stats]
          proportion = [ { name = "studytypes", label = "Turnout by study type",
                           labels = { UG = "Undergraduate", PG = "Postgraduate" } },
                         { name = "total" } ]
          rolling = [ { name = "total", period = "5m", label = "Last five minutes" } ]
        """);
    Map<String, org.arithmospora.http.StatLabel> labels = config.sources().get(0).labels();
    assertThat(labels).containsOnlyKeys("proportion:studytypes", "rolling:5m:total");
    assertThat(labels.get("proportion:studytypes").label()).isEqualTo("Turnout by study type");
    assertThat(labels.get("proportion:studytypes").dataPoints())
        .containsEntry("PG", "Postgraduate")
        .containsEntry("UG", "Undergraduate");
    assertThat(config.warnings()).isEmpty();
    assertThatThrownBy(
            () ->
                parse(
                    "[[sources]]\nname = \"e\"\nredis_prefix = \"e\"\n[sources.stats]\n"
                        + "proportion = [ { name = \"t\", labels = { PG = 1 } } ]\n"))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .anyMatch(
                        p -> p.contains("sources[0].stats.proportion[0].labels.PG: expected")));
  }

  @Test
  void unknownKeysAreWarningsWithTheirLine() throws Exception {
    Config config =
        parse(
            """
        [redis]
        server = "localhost:6379"
        maxidle = 3
        [[sources]]
        name = "e"
        redis_prefx = "e"
        """);
    assertThat(config.warnings())
        .filteredOn(w -> w.contains("unknown key"))
        .satisfiesExactly(
            w -> assertThat(w).startsWith("test.conf:3: unknown key redis.maxidle is ignored"),
            w ->
                assertThat(w)
                    .startsWith("test.conf:6: unknown key sources[0].redis_prefx is ignored"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      db as text            | [redis]\\ndb = "one"                                   | test.conf:2: redis.db: expected an integer, found the string "one"
      server without port   | [redis]\\nserver = "localhost"                         | test.conf:2: redis.server: Redis server 'localhost' is not host:port (expected "host:port")
      sentinel, no master   | [redis]\\nsentinels = ["h:26379"]                    | test.conf:2: redis.sentinels: needs at least one "host:port" and redis.master_name, the name Sentinel monitors
      sentinel and server   | [redis]\\nserver = "h:1"\\nsentinels = ["h:2"]\\nmaster_name = "m" | test.conf:3: redis.sentinels: and redis.server exclude each other: Sentinel names the master
      cluster and server    | [redis]\\nserver = "h:1"\\ncluster = ["h:2"]          | test.conf:3: redis.cluster: and redis.server exclude each other: the cluster's nodes are the servers
      cluster, no nodes     | [redis]\\ncluster = []                             | test.conf:2: redis.cluster: needs at least one "host:port" of a cluster node to discover the others from
      cluster, bad node     | [redis]\\ncluster = ["n1"]                         | test.conf:2: redis.cluster: Redis server 'n1' is not host:port
      cluster on db 1       | [redis]\\ncluster = ["n1:7000"]\\ndb = 1             | test.conf:1: redis: Redis Cluster has only database 0, but db is 1
      ping not below pong   | [websocket]\\nping_period = 60                         | test.conf:1: websocket: ping_period (60 s) must be shorter than pong_wait (60 s)
      tiny send window      | [websocket]\\nsend_window_bytes = 100                 | test.conf:1: websocket: send_window_bytes must be at least 2048, got 100
      negative stat rate    | [websocket]\\nmax_stat_rate = -1                      | test.conf:1: websocket: max_stat_rate must be 0 (no cap) or a positive number of messages a second, got -1.0
      stat rate as text     | [websocket]\\nmax_stat_rate = "fast"                  | test.conf:2: websocket.max_stat_rate: expected a number, found the string "fast"
      debounce backwards    | [debounce]\\nmin_time_ms = 500\\nmax_time_ms = 100      | test.conf:1: debounce: debounce max time (100 ms) must not be less than min time (500 ms)
      TOML syntax           | [redis\\nserver = 1                                   | test.conf:1:7: Unexpected end of line, expected ]
      source without name   | [[sources]]\\nredis_prefix = "e"                       | test.conf:1: sources[0].name: is required (the source's name and endpoint path)
      local start time      | [[sources]]\\nname = "e"\\nstart_time = 2017-03-03T12:00:00 | test.conf:3: sources[0].start_time: expected a date-time with a time zone such as 2017-03-03T12:00:00Z, found the local date-time 2017-03-03T12:00 (no time zone)
      unknown data type     | [[sources]]\\nname = "e"\\nredis_prefix = "e"\\n[sources.stats]\\nother = [ { name = "x", data_type = "ranked" } ] | test.conf:5: sources[0].stats.other[0].data_type: unknown data type 'ranked'; known types: generic, proportion, rolling, single_value, timed
      other without type    | [[sources]]\\nname = "e"\\nredis_prefix = "e"\\n[sources.stats]\\nother = [ { name = "x" } ] | test.conf:5: sources[0].stats.other[0].data_type: is required in group 'other'; one of generic, proportion, rolling, single_value, timed
      rolling without period| [[sources]]\\nname = "e"\\nredis_prefix = "e"\\n[sources.stats]\\nrolling = [ { name = "t" } ] | test.conf:5: sources[0].stats.rolling[0].period: is required for rolling stats (e.g. "5m")
      duplicate key         | [[sources]]\\nname = "e"\\nredis_prefix = "e"\\n[sources.stats]\\nrolling = [ { name = "t", period = "5m" },\\n  { name = "t", period = "5m" } ] | test.conf:6: sources[0].stats.rolling[1]: stat key '5m:t' appears twice in group 'rolling'
      unknown loader        | [[sources]]\\nname = "e"\\nredis_prefix = "e"\\n[sources.stats]\\nproportion = [ { name = "t", loader_type = "mysql" } ] | test.conf:5: sources[0].stats.proportion[0].loader_type: unknown loader type 'mysql'; known: redis
      missing redis prefix  | [[sources]]\\nname = "e"\\n[sources.stats]\\nproportion = [ { name = "t" } ] | test.conf:1: sources[0].redis_prefix: is required: stats of this source are read from Redis
      milestone stat missing| [[sources]]\\nname = "e"\\nredis_prefix = "e"\\n[sources.stats]\\nproportion = [ { name = "t" } ]\\n[[sources.milestones]]\\ngroup = "proportion"\\nstat = "total" | test.conf:8: sources[0].milestones[0].stat: no stat 'total' in group 'proportion'; stats there: t
      bad comparator        | [[sources]]\\nname = "e"\\nredis_prefix = "e"\\n[sources.stats]\\nproportion = [ { name = "t" } ]\\n[[sources.milestones]]\\ngroup = "proportion"\\nstat = "t"\\nmilestones = [ { name = "m", field = "current", target = 1, comparator = "=>" } ] | test.conf:9: sources[0].milestones[0].milestones[0].comparator: unknown comparator '=>'; expected one of '>', '>=', '=', '<=', '<' or '=='
      field not of the type | [[sources]]\\nname = "e"\\nredis_prefix = "e"\\n[sources.stats]\\nproportion = [ { name = "t" } ]\\n[[sources.milestones]]\\ngroup = "proportion"\\nstat = "t"\\nmilestones = [ { name = "m", field = "peak", target = 1, comparator = ">" } ] | test.conf:9: sources[0].milestones[0].milestones[0].field: a proportion stat has no field 'peak'; its fields: current, percentage, proportion, total
      target as text        | [[sources]]\\nname = "e"\\nredis_prefix = "e"\\n[sources.stats]\\nproportion = [ { name = "t" } ]\\n[[sources.milestones]]\\ngroup = "proportion"\\nstat = "t"\\nmilestones = [ { name = "m", field = "current", target = "10", comparator = ">" } ] | test.conf:9: sources[0].milestones[0].milestones[0].target: expected a number, found the string "10"
      whole event no times  | [[sources]]\\nname = "e"\\nredis_prefix = "e"\\ntimed_stat_periods = [ { granularity = 300, cycles = -1 } ]\\n[sources.stats]\\ntimed = [ { name = "turnout" } ] | test.conf:1: sources[0]: whole-event timed periods (cycles < 0) need both start_time and end_time
      end before start      | [[sources]]\\nname = "e"\\nstart_time = 2017-03-03T12:00:00Z\\nend_time = 2017-03-03T11:00:00Z | test.conf:4: sources[0].end_time: is before start_time
      granularity twice     | [[sources]]\\nname = "e"\\ntimed_stat_periods = [ { granularity = 60, cycles = 5 },\\n  { granularity = 60, cycles = -1 } ] | test.conf:4: sources[0].timed_stat_periods[1].granularity: granularity 60 is given twice
      zero granularity      | [[sources]]\\nname = "e"\\ntimed_stat_periods = [ { granularity = 0, cycles = 5 } ] | test.conf:3: sources[0].timed_stat_periods[0].granularity: must be at least 1 second, got 0
      bad source name       | [[sources]]\\nname = "a/b"                       | test.conf:2: sources[0].name: source name 'a/b' must not contain '/': it is the endpoint path
      auth without a key    | [auth]\\nissuer = "i"                              | test.conf:1: auth: needs hmac_secret_file (a shared secret, HS256) or public_key_file (a PEM RSA or EC public key) to verify tokens with
      auth with two keys    | [auth]\\nhmac_secret_file = "s"\\npublic_key_file = "k" | test.conf:3: auth: give one of hmac_secret_file and public_key_file, not both: tokens are verified with one key
      auth leeway too long  | [auth]\\nhmac_secret_file = "s"\\nleeway_seconds = 7200 | test.conf:3: auth.leeway_seconds: must be between 0 and 3600, got 7200
      private without auth  | [[sources]]\\nname = "e"\\nprivate = true            | test.conf:3: sources[0].private: is true, but there is no [auth] table to verify clients' tokens with: add [auth] with hmac_secret_file or public_key_file
      private as text       | [[sources]]\\nname = "e"\\nprivate = "yes"           | test.conf:3: sources[0].private: expected true or false, found the string "yes"
      web without address   | [web]\\ndashboard = false                          | test.conf:1: web.address: is required (host:port to listen on)
      web cert without key  | [web]\\naddress = ":8081"\\ncert = "c.pem"          | test.conf:1: web.key: is required (a PEM private key, or pkcs12 instead)
      web cors not strings  | [web]\\naddress = ":8081"\\ncors_origins = [ 1 ]   | test.conf:3: web.cors_origins: expected origins such as "https://example.org" or "*"
      web bad address       | [web]\\naddress = "nowhere"                        | test.conf:2: web.address: address 'nowhere' is not host:port
      tiny request timeout  | [web]\\naddress = ":8081"\\nrequest_timeout_ms = 5 | test.conf:3: web.request_timeout_ms: must be at least 100, got 5
      tiny handshake bound  | [websocket]\\nmax_handshake_bytes = 100          | test.conf:1: websocket: max_handshake_bytes must be at least 1024: a browser's handshake alone is several hundred bytes
      log level unknown     | [log]\\nlevel = "loud"                             | test.conf:2: log.level: expected one of trace, debug, info, warn, error, got 'loud'
      log format unknown    | [log]\\nformat = "xml"                             | test.conf:2: log.format: expected "text" or "json", got 'xml'
      two sources one name  | [[sources]]\\nname = "e"\\n[[sources]]\\nname = "e"       | test.conf:4: sources[1].name: source name 'e' is used twice
      https without cert    | [https]\\naddress = ":8443"\\nkey = "k.pem"           | test.conf:1: https.cert: is required (a PEM certificate chain, or pkcs12 instead)
      """)
  void eachMistakeHasItsOwnMessage(String what, String toml, String expected) {
    assertThatThrownBy(() -> parse(toml.replace("\\n", "\n")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).contains(expected));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(
            () ->
                parse(
                    """
        [redis]
        db = "one"
        max_idle = "three"
        [[sources]]
        redis_prefix = "e"
        """))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(3));
  }

  @Test
  void elementsOfArraysOfTablesThatAreNotTablesAreNamedInOrder() {
    assertThatThrownBy(
            () ->
                parse(
                    """
        sources = [ 1, { name = "e", redis_prefix = "e", timed_stat_periods = [ 5 ], stats = { proportion = [ "x", { name = "total" } ] }, milestones = [ 7, { name = "m", group = "proportion", stat = "total", milestones = [ 3 ] } ] }, "two" ]
        """))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .extracting(p -> p.substring(p.indexOf(": ") + 2))
                    .containsExactly(
                        "sources[0]: expected a table ([[sources]])",
                        "sources[1].timed_stat_periods[0]: expected { granularity = SECONDS, cycles = N }",
                        "sources[1].stats.proportion[0]: expected { name = \"...\", ... }",
                        "sources[1].milestones[0]: expected a table ([[sources.milestones]])",
                        "sources[1].milestones[1].milestones[0]: expected { name = ..., field = ..., target = ..., comparator = ..., message = ... }",
                        "sources[2]: expected a table ([[sources]])"));
  }

  @Test
  void aMissingFileIsNamed() {
    assertThatThrownBy(() -> new ConfigLoader().load(Path.of("/nonexistent/arith.conf")))
        .hasMessage("/nonexistent/arith.conf: no such file");
  }

  @Test
  void sourcesAreFoundByNameOrTheFirst() throws Exception {
    Config config = new ConfigLoader().load(resource("election.conf"));
    assertThat(config.source(null).name()).isEqualTo("election2017");
    assertThat(config.source("archive2016").name()).isEqualTo("archive2016");
    assertThatThrownBy(() -> config.source("nope"))
        .hasMessageEndingWith("sources: election2017, archive2016");
    assertThat(List.of(config.source(null).definition().stats().size())).containsExactly(10);
  }
}
