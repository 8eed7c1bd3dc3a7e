package org.arithmospora.hub;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.arithmospora.core.LiveSource;
import org.arithmospora.core.ManualScheduler;
import org.arithmospora.core.MilestoneGroup;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.store.InMemoryStore;

/**
 * A source of proportion stats with a few data points each (messages of a few hundred bytes), in
 * memory, and a hub serving it, both on one virtual clock: nothing here waits in real time.
 */
final class HubFixture implements AutoCloseable {
  static final String SOURCE = "election";

  final InMemoryStore store = new InMemoryStore();
  final ManualScheduler clock = new ManualScheduler(Instant.parse("2026-11-05T20:00:00Z"));
  final List<String> stats = new ArrayList<>();
  final LiveSource source;
  final Hub hub;
  long votes;

  HubFixture(int statCount, DeliverySettings settings) {
    this(statCount, settings, null);
  }

  HubFixture(int statCount, DeliverySettings settings, MilestoneGroup milestones) {
    SourceDefinition.Builder def = SourceDefinition.builder(SOURCE);
    for (int i = 0; i < statCount; i++) {
      String name = "stat" + i;
      stats.add(name);
      def.stat("proportion", name);
      InMemoryStore.Node node = store.stat(name).set("current", 0).set("total", 1000);
      for (int d = 0; d < 4; d++) {
        node.dataPoint("dp" + d).set("current", d).set("total", 100);
      }
    }
    if (milestones != null) {
      def.milestones(milestones);
    }
    source = LiveSource.builder(def.build()).loader(store).scheduler(clock).build();
    source.start();
    hub = Hub.builder(settings).source(source).scheduler(clock, () -> nanos(clock.now())).build();
    hub.start();
  }

  static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** One vote: every stat's {@code current} goes up by one, and the source re-reads them. */
  void vote() {
    votes++;
    for (String s : stats) {
      store.stat(s).set("current", votes);
    }
    source.refreshAll();
  }

  /** One vote that changes only {@code stat}. */
  void vote(String stat, long current) {
    store.stat(stat).set("current", current);
    source.refreshAll();
  }

  void advance(Duration d) {
    clock.advance(d);
  }

  /** Lets {@code c} read everything that reaches it for {@code d} of virtual time. */
  void keepReading(FakeClient c, Duration d) {
    for (long ms = 0; ms < d.toMillis(); ms++) {
      c.readAll();
      advance(Duration.ofMillis(1));
    }
    c.readAll();
  }

  FakeClient connect(String name) {
    return FakeClient.connect(hub, SOURCE, name);
  }

  /** Connects a client and lets it read {@code available} and its snapshot. */
  FakeClient connectAndReadSnapshot(String name) {
    FakeClient c = connect(name);
    keepReading(c, hub.settings().snapshotDelay().plusMillis(20));
    return c;
  }

  /**
   * Another server on the same store and clock: its own source reading the same data, and its own
   * hub, as a second process on the same Redis would have.
   */
  Second secondServer() {
    LiveSource other =
        LiveSource.builder(source.definition()).loader(store).scheduler(clock).build();
    other.start();
    Hub otherHub =
        Hub.builder(hub.settings())
            .source(other)
            .scheduler(clock, () -> nanos(clock.now()))
            .build();
    otherHub.start();
    Second s = new Second(other, otherHub);
    seconds.add(s);
    return s;
  }

  private final List<Second> seconds = new ArrayList<>();

  /** A second server; closing it stops it. */
  final class Second implements AutoCloseable {
    final LiveSource source;
    final Hub hub;

    Second(LiveSource source, Hub hub) {
      this.source = source;
      this.hub = hub;
    }

    /** Lets it read what changed in the store. */
    void settle() {
      source.refreshAll();
      advance(Duration.ofMillis(5));
    }

    @Override
    public void close() {
      hub.stop();
      source.close();
    }
  }

  @Override
  public void close() {
    hub.stop();
    source.close();
  }
}
