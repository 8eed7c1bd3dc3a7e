package org.arithmospora.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.arithmospora.core.store.NodeAddress;
import org.arithmospora.core.store.StatAddress;
import org.junit.jupiter.api.Test;

class RedisSettingsTest {

  @Test
  void defaultsAreTheGoPrograms() {
    RedisSettings s = RedisSettings.ofDefaults();
    assertThat(s.address()).isEqualTo("localhost:6379");
    assertThat(s.database()).isEqualTo(1);
    assertThat(s.maxIdle()).isEqualTo(3);
    assertThat(s.idleTimeout()).isEqualTo(Duration.ofMinutes(4));
    assertThat(s.password()).isEmpty();
    assertThat(s.tls()).isFalse();
  }

  @Test
  void anEmptyHostMeansLocalhost() {
    assertThat(RedisSettings.builder().address(":6380").build().address())
        .isEqualTo("localhost:6380");
    assertThat(RedisSettings.builder().address("[::1]:6379").build().host()).isEqualTo("::1");
    assertThat(RedisSettings.builder().address("redis.internal:7000").build().port())
        .isEqualTo(7000);
  }

  @Test
  void badValuesAreRejectedNamingTheSetting() {
    assertThatThrownBy(() -> RedisSettings.builder().address("localhost"))
        .hasMessage("Redis server 'localhost' is not host:port");
    assertThatThrownBy(() -> RedisSettings.builder().address("localhost:http"))
        .hasMessage("Redis server 'localhost:http' has no valid port");
    assertThatThrownBy(() -> RedisSettings.builder().port(70000).build())
        .hasMessage("Redis port must be 1-65535, got 70000");
    assertThatThrownBy(() -> RedisSettings.builder().database(-1).build())
        .hasMessage("Redis db must not be negative, got -1");
    assertThatThrownBy(() -> RedisSettings.builder().idleTimeout(Duration.ZERO).build())
        .hasMessage("Redis idle_timeout must be positive, got PT0S");
  }

  @Test
  void anEmptyPasswordMeansNoAuth() {
    assertThat(RedisSettings.builder().password("").build().password()).isEmpty();
    assertThat(RedisSettings.builder().password("s3cret").user("app").build().toString())
        .isEqualTo("Redis localhost:6379 db 1 user app with password");
  }

  @Test
  void keysFollowTheGoLayout() {
    RedisKeys keys = new RedisKeys("election:2017");
    StatAddress total = StatAddress.of("total");
    StatAddress rolling = StatAddress.of("total", "5m");
    assertThat(keys.base(total)).isEqualTo("election:2017:stats:total");
    assertThat(keys.base(rolling)).isEqualTo("election:2017:rolling:5m:stats:total");
    assertThat(keys.updates(rolling)).isEqualTo("election:2017:rolling:5m:stats:total:updates");
    NodeAddress t = NodeAddress.root(StatAddress.of("studytypes")).child("PG").child("T");
    assertThat(keys.data(t))
        .isEqualTo("election:2017:stats:studytypes:datapoints:PG:datapoints:T:data");
    assertThat(keys.dataPoints(t))
        .isEqualTo("election:2017:stats:studytypes:datapoints:PG:datapoints:T:datapoints");
    assertThat(keys.data(NodeAddress.root(total))).isEqualTo("election:2017:stats:total:data");
  }
}
