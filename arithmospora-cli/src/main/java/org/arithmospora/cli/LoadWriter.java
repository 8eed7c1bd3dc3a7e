package org.arithmospora.cli;

import java.time.Instant;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/**
 * The load tool's writer: changes stats in Redis as a site's writer does (counters, then PUBLISH
 * on their {@code :updates} channels) and stamps each update with the time it was written, in a
 * single-value stat the clients read latency from.
 */
final class LoadWriter {
  /** The single-value stat holding the write time in epoch microseconds. */
  static final String STAMP_STAT = "loadstamp";

  private final RedisClient redis;
  private final String prefix;
  private final List<String> proportions;
  private long lastStamp;

  /**
   * @param proportions proportion stats whose {@code current} each update increments
   */
  LoadWriter(RedisClient redis, String prefix, List<String> proportions) {
    this.redis = redis;
    this.prefix = prefix;
    this.proportions = List.copyOf(proportions);
  }

  /**
   * Fills the stats of {@code bench/loadtest.conf} with an electorate and data points, so that
   * messages have the sizes of a real election page.
   */
  void seed() {
    try (AbstractPipeline p = redis.pipelined()) {
      String[][] groups = {
        {"studytypes", "UG", "PG"},
        {"departments", "Chemistry", "Computing", "Economics", "Engineering", "History", "Mathematics", "Medicine",
            "Physics", "Biology", "Design"},
        {"faculties", "Engineering", "Medicine", "Natural Sciences", "Business"},
        {"years", "1", "2", "3", "4", "5"},
        {"halls", "Beit", "Eastside", "Southside", "Wilson", "Woodward", "Xenia", "Kemp Porter", "Griffon"},
      };
      p.hset(prefix + ":stats:total:data", java.util.Map.of("current", "1000", "total", "20000"));
      for (String[] g : groups) {
        String base = prefix + ":stats:" + g[0];
        p.hset(base + ":data", java.util.Map.of("current", "1000", "total", "20000"));
        for (int i = 1; i < g.length; i++) {
          p.sadd(base + ":datapoints", g[i]);
          p.hset(base + ":datapoints:" + g[i] + ":data", java.util.Map.of("current", Integer.toString(100 + i), "total", "2000"));
        }
      }
      p.sadd(prefix + ":stats:studytypes:datapoints:PG:datapoints", "T", "R");
      p.hset(prefix + ":stats:studytypes:datapoints:PG:datapoints:T:data", java.util.Map.of("current", "40", "total", "900"));
      p.hset(prefix + ":stats:studytypes:datapoints:PG:datapoints:R:data", java.util.Map.of("current", "30", "total", "600"));
      for (String period : new String[] {"5m", "1h"}) {
        p.hset(prefix + ":rolling:" + period + ":stats:total:data", java.util.Map.of("current", "50", "total", "20000", "peak", "80"));
        p.set(prefix + ":rolling:" + period + ":stats:totalvotes:data", "50");
      }
      p.hset(prefix + ":rolling:5m:stats:departments:data", java.util.Map.of("current", "50", "total", "20000", "peak", "80"));
      p.set(prefix + ":stats:totalvotes:data", "1000");
      p.set(prefix + ":stats:imperialplushours:data", "12345");
      p.hset(prefix + ":stats:candidates:data", java.util.Map.of("Avery Quinn", "400", "Blake Morgan", "350", "Casey Rivera", "250"));
      long minute = Instant.now().getEpochSecond() / 60;
      for (int i = 0; i < 31; i++) {
        p.hset(prefix + ":stats:turnout:datapoints:60:data", Long.toString(minute - i), Integer.toString(20 + i));
      }
      p.sync();
    }
  }

  /** One update: every counter and the stamp in one round trip, then the announcements. */
  long update() {
    Instant now = Instant.now();
    long stamp = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    if (stamp <= lastStamp) {
      stamp = lastStamp + 1;
    }
    try (AbstractPipeline p = redis.pipelined()) {
      for (String stat : proportions) {
        p.hincrBy(prefix + ":stats:" + stat + ":data", "current", 1);
      }
      p.set(prefix + ":stats:" + STAMP_STAT + ":data", Long.toString(stamp));
      for (String stat : proportions) {
        p.publish(prefix + ":stats:" + stat + ":updates", "1");
      }
      p.publish(prefix + ":stats:" + STAMP_STAT + ":updates", "1");
      p.sync();
    }
    lastStamp = stamp;
    return stamp;
  }

  long lastStamp() {
    return lastStamp;
  }
}
