package org.arithmospora.core;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * A {@link LiveSource}'s meters, all tagged {@code source}: updates published, milestones met,
 * whether the store answered the latest read, and how long reads take (a histogram, for percentiles
 * across servers). Counters read the source's own figures when scraped, so the hot path pays only
 * for the read timer.
 */
final class SourceMeters {
  private SourceMeters() {}

  /** Registers the source's figures and returns the timer its reads record into. */
  static Timer register(MeterRegistry registry, LiveSource source) {
    String name = source.name();
    FunctionCounter.builder("arithmospora.source.updates", source, LiveSource::updatesPublished)
        .description("Stat messages published: stats that changed, each read once")
        .tag("source", name)
        .register(registry);
    FunctionCounter.builder(
            "arithmospora.source.milestones.met", source, LiveSource::milestonesAchieved)
        .description("Milestones met while running")
        .tag("source", name)
        .register(registry);
    Gauge.builder("arithmospora.source.store.available", source, s -> s.isStoreAvailable() ? 1 : 0)
        .description("1 when the source's latest read reached the store, else 0")
        .tag("source", name)
        .register(registry);
    return Timer.builder("arithmospora.source.read")
        .description("One batch of re-reads from the store: a settled burst, a refresh, a retry")
        .tag("source", name)
        .publishPercentileHistogram()
        .register(registry);
  }
}
