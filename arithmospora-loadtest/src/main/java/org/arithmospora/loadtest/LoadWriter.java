package org.arithmospora.loadtest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/**
 * The load tool's writer: changes stats in Redis as a site's writer does (counters, then PUBLISH on
 * their {@code :updates} channels) and stamps each update with the time it was written, in a
 * single-value stat the clients read freshness from.
 */
final class LoadWriter {
  /** The single-value stat holding the write time in epoch microseconds. */
  static final String STAMP_STAT = "loadstamp";

  /** The data points of the bench election's proportion stats, as {@link #seed()} writes them. */
  private static final Map<String, List<String>> DATA_POINTS =
      Map.of(
          "studytypes", List.of("UG", "PG"),
          "departments",
              List.of(
                  "Chemistry",
                  "Computing",
                  "Economics",
                  "Engineering",
                  "History",
                  "Mathematics",
                  "Medicine",
                  "Physics",
                  "Biology",
                  "Design"),
          "faculties", List.of("Engineering", "Medicine", "Natural Sciences", "Business"),
          "years", List.of("1", "2", "3", "4", "5"),
          "halls",
              List.of(
                  "Beit",
                  "Eastside",
                  "Southside",
                  "Wilson",
                  "Woodward",
                  "Xenia",
                  "Kemp Porter",
                  "Griffon"));

  private static final List<String> CANDIDATES =
      List.of("Avery Quinn", "Blake Morgan", "Casey Rivera");

  private final RedisClient redis;
  private final String prefix;
  private final List<Touch> touches;
  private final Random random = new Random(7);
  private long lastStamp;

  /** How one update changes one stat: its writes, then its announcement. */
  private record Touch(String channel, BiConsumer<AbstractPipeline, Random> write) {}

  /**
   * @param stats the stats each update changes, by their key in {@code bench/loadtest.conf} ({@code
   *     total}, {@code departments}, {@code 5m:total}, {@code totalvotes}, {@code candidates},
   *     {@code turnout}...), as one vote would
   * @throws IllegalArgumentException naming a stat the bench election does not have
   */
  LoadWriter(RedisClient redis, String prefix, List<String> stats) {
    this.redis = redis;
    this.prefix = prefix;
    List<Touch> t = new ArrayList<>();
    for (String stat : stats) {
      t.add(touch(stat));
    }
    this.touches = List.copyOf(t);
  }

  private Touch touch(String stat) {
    String base = prefix + ":stats:" + stat;
    int colon = stat.indexOf(':');
    if (colon > 0) {
      // A rolling stat or a counter with a period: <prefix>:rolling:<period>:stats:<name>.
      String period = stat.substring(0, colon);
      String name = stat.substring(colon + 1);
      String rolling = prefix + ":rolling:" + period + ":stats:" + name;
      switch (name) {
        case "total", "departments" -> {
          return new Touch(
              rolling + ":updates", (p, r) -> p.hincrBy(rolling + ":data", "current", 1));
        }
        case "totalvotes" -> {
          return new Touch(rolling + ":updates", (p, r) -> p.incr(rolling + ":data"));
        }
        default -> throw unknown(stat);
      }
    }
    if (stat.equals("total")) {
      return new Touch(base + ":updates", (p, r) -> p.hincrBy(base + ":data", "current", 1));
    }
    List<String> points = DATA_POINTS.get(stat);
    if (points != null) {
      return new Touch(
          base + ":updates",
          (p, r) -> {
            p.hincrBy(base + ":data", "current", 1);
            p.hincrBy(
                base + ":datapoints:" + points.get(r.nextInt(points.size())) + ":data",
                "current",
                1);
          });
    }
    switch (stat) {
      case "totalvotes", "imperialplushours" -> {
        return new Touch(base + ":updates", (p, r) -> p.incr(base + ":data"));
      }
      case "candidates" -> {
        return new Touch(
            base + ":updates",
            (p, r) -> p.hincrBy(base + ":data", CANDIDATES.get(r.nextInt(CANDIDATES.size())), 1));
      }
      case "turnout" -> {
        return new Touch(
            base + ":updates",
            (p, r) ->
                p.hincrBy(
                    base + ":datapoints:60:data",
                    Long.toString(Instant.now().getEpochSecond() / 60),
                    1));
      }
      default -> throw unknown(stat);
    }
  }

  private static IllegalArgumentException unknown(String stat) {
    return new IllegalArgumentException(
        "the bench election has no stat '"
            + stat
            + "' to change; known: total, "
            + String.join(", ", new java.util.TreeSet<>(DATA_POINTS.keySet()))
            + ", 5m:total, 1h:total, 5m:departments, totalvotes, 5m:totalvotes, 1h:totalvotes, candidates, turnout, imperialplushours");
  }

  /**
   * Fills the stats of {@code bench/loadtest.conf} with an electorate and data points, so that
   * messages have the sizes of a real election page.
   */
  void seed() {
    try (AbstractPipeline p = redis.pipelined()) {
      p.hset(prefix + ":stats:total:data", Map.of("current", "1000", "total", "20000"));
      DATA_POINTS.forEach(
          (stat, points) -> {
            String base = prefix + ":stats:" + stat;
            p.hset(base + ":data", Map.of("current", "1000", "total", "20000"));
            for (int i = 0; i < points.size(); i++) {
              p.sadd(base + ":datapoints", points.get(i));
              p.hset(
                  base + ":datapoints:" + points.get(i) + ":data",
                  Map.of("current", Integer.toString(101 + i), "total", "2000"));
            }
          });
      p.sadd(prefix + ":stats:studytypes:datapoints:PG:datapoints", "T", "R");
      p.hset(
          prefix + ":stats:studytypes:datapoints:PG:datapoints:T:data",
          Map.of("current", "40", "total", "900"));
      p.hset(
          prefix + ":stats:studytypes:datapoints:PG:datapoints:R:data",
          Map.of("current", "30", "total", "600"));
      for (String period : new String[] {"5m", "1h"}) {
        p.hset(
            prefix + ":rolling:" + period + ":stats:total:data",
            Map.of("current", "50", "total", "20000", "peak", "80"));
        p.set(prefix + ":rolling:" + period + ":stats:totalvotes:data", "50");
      }
      p.hset(
          prefix + ":rolling:5m:stats:departments:data",
          Map.of("current", "50", "total", "20000", "peak", "80"));
      p.set(prefix + ":stats:totalvotes:data", "1000");
      p.set(prefix + ":stats:imperialplushours:data", "12345");
      for (int i = 0; i < CANDIDATES.size(); i++) {
        p.hset(
            prefix + ":stats:candidates:data", CANDIDATES.get(i), Integer.toString(400 - 50 * i));
      }
      long minute = Instant.now().getEpochSecond() / 60;
      for (int i = 0; i < 31; i++) {
        p.hset(
            prefix + ":stats:turnout:datapoints:60:data",
            Long.toString(minute - i),
            Integer.toString(20 + i));
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
      for (Touch t : touches) {
        t.write().accept(p, random);
      }
      p.set(prefix + ":stats:" + STAMP_STAT + ":data", Long.toString(stamp));
      for (Touch t : touches) {
        p.publish(t.channel(), "1");
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
