package org.arithmospora.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.arithmospora.core.store.NodeAddress;
import org.arithmospora.core.store.StatAddress;
import org.arithmospora.core.store.StatLoader;
import org.arithmospora.core.store.StoreUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

/**
 * A Redis that stalls (CLIENT PAUSE stands in for DEBUG SLEEP, a slow script or a swapping host): a
 * read gives up after one read timeout, opens no connection on the way out and does not retry.
 */
class RedisStallTest {
  private static final NodeAddress TOTAL = NodeAddress.root(StatAddress.of("total"));

  private RedisTestServer redis;
  private RedisStore store;

  @BeforeEach
  void setUp() {
    redis = RedisTestServer.start();
    redis.writer().sadd("e:stats:total:datapoints", "PG", "UG");
    store = RedisStore.connect(redis.settings().readTimeout(Duration.ofMillis(300)).build());
  }

  @AfterEach
  void tearDown() {
    store.close();
    redis.close();
  }

  @Test
  void aStalledReadFailsOnceAndOpensNoConnectionOnItsWayOut() throws Exception {
    StatLoader loader = store.loader("e");
    assertThat(read(loader)).containsExactlyInAnyOrder("PG", "UG");
    assertThat(store.readConnections()).isEqualTo(1);

    try (Jedis admin = redis.admin()) {
      long connectionsBefore = connectionsReceived(admin);
      // Connected now, so that this outlasts the pause (set before, the connect would undo it).
      admin.getConnection().setSoTimeout(20_000);
      admin.clientPause(3_000, ClientPauseMode.ALL);

      assertThatThrownBy(() -> read(loader))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("did not answer within read_timeout_ms (300 ms)");
      // Jedis's pool (commons-pool2 2.13) would open a replacement for the broken connection
      // there and then, and the read would retry on another new one: each waits a read timeout.
      assertThat(store.readConnections()).isZero();

      // Answered once the pause is over (this waits for it).
      long connectionsAfter = connectionsReceived(admin);
      assertThat(connectionsAfter - connectionsBefore)
          .as("connections Redis received while it stalled")
          .isZero();
    }
    // And reads work again, on a new connection.
    assertThat(read(loader)).containsExactlyInAnyOrder("PG", "UG");
  }

  private static Set<String> read(StatLoader loader) throws Exception {
    StatLoader.ReadBatch batch = loader.newBatch();
    StatLoader.Reply<Set<String>> names = batch.dataPointNames(TOTAL);
    batch.execute();
    return names.get();
  }

  private static long connectionsReceived(Jedis admin) {
    return admin
        .info("stats")
        .lines()
        .filter(l -> l.startsWith("total_connections_received:"))
        .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim()))
        .findFirst()
        .orElseThrow();
  }
}
