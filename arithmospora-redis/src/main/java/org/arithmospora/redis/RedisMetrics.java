package org.arithmospora.redis;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The Redis store's meters: whether the subscriber connection is up, and how often it has been
 * re-established after the first time.
 */
public final class RedisMetrics implements MeterBinder {
  private final RedisStore store;

  /** Meters for {@code store}. */
  public RedisMetrics(RedisStore store) {
    this.store = store;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("arithmospora.redis.connected", store, s -> s.isSubscriberConnected() ? 1 : 0)
        .description("1 while the subscriber connection to Redis is up and subscribed")
        .register(registry);
    FunctionCounter.builder(
            "arithmospora.redis.reconnects", store, s -> Math.max(0, s.subscriberConnections() - 1))
        .description("Times the subscriber connection was re-established after the first")
        .register(registry);
  }
}
