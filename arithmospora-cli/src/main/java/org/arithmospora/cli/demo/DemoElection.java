package org.arithmospora.cli.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.arithmospora.config.ConfigLoader;
import org.arithmospora.core.MilestoneDefinition;
import org.arithmospora.core.MilestoneGroup;
import org.arithmospora.core.SourceDefinition;
import org.arithmospora.core.StatDefinition;
import org.arithmospora.core.TimedPeriod;
import org.arithmospora.core.store.NodeAddress;
import org.arithmospora.core.store.StatAddress;
import org.arithmospora.http.StatLabel;
import org.arithmospora.redis.RedisKeys;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/**
 * A simulated student election, written to Redis exactly as a site's own writer would: counters in
 * the key layout of SPEC §2, then a {@code PUBLISH} on each changed stat's {@code :updates}
 * channel. Every data type appears: proportions with nested data points (study type, then
 * taught/research postgraduates; departments), rolling 5-minute and 1-hour windows, a timed turnout
 * series, single values and a generic hash of candidate votes. Not thread-safe: one writer thread
 * drives it.
 */
final class DemoElection {
  static final String SOURCE = "election";
  static final String PREFIX = "demo:election";
  static final List<TimedPeriod> PERIODS =
      List.of(new TimedPeriod(60, 30), new TimedPeriod(300, -1), new TimedPeriod(3600, -1));
  private static final List<String> CANDIDATES =
      List.of("Avery Quinn", "Blake Morgan", "Casey Rivera", "Devon Patel", "Re-open nominations");
  private static final double[] CANDIDATE_WEIGHTS = {0.31, 0.27, 0.22, 0.15, 0.05};

  /** One department: undergraduates, taught and research postgraduates. */
  private record Department(String name, int ug, int pgt, int pgr) {}

  private static final List<Department> DEPARTMENTS =
      List.of(
          new Department("Chemistry", 820, 160, 240),
          new Department("Computing", 1100, 420, 180),
          new Department("Economics", 760, 380, 60),
          new Department("Engineering", 1500, 300, 320),
          new Department("History", 540, 120, 80),
          new Department("Mathematics", 900, 140, 110),
          new Department("Medicine", 1300, 210, 260),
          new Department("Physics", 880, 90, 210));

  private final RedisKeys keys = new RedisKeys(PREFIX);
  private final Random random;
  private final Map<String, int[]> voted = new LinkedHashMap<>(); // department -> {ug, pgt, pgr}
  private final ArrayDeque<Long> recentVotes =
      new ArrayDeque<>(); // epoch seconds of the last hour's votes
  private long peak5m;
  private long peak1h;
  private long totalVotes;
  private final int electorate;

  DemoElection(long seed) {
    this.random = new Random(seed);
    int all = 0;
    for (Department d : DEPARTMENTS) {
      voted.put(d.name, new int[3]);
      all += d.ug + d.pgt + d.pgr;
    }
    this.electorate = all;
  }

  /** The source: start an hour and a half ago, end in three hours. */
  /** The dashboard's names for the demo's stats, as a [[sources]] table's label keys give them. */
  static Map<String, StatLabel> labels() {
    return Map.of(
        "proportion:total", new StatLabel("Turnout", Map.of()),
        "proportion:studytypes",
            new StatLabel(
                "Turnout by study type",
                Map.of(
                    "UG", "Undergraduate", "PG", "Postgraduate", "T", "Taught", "R", "Research")),
        "proportion:departments", new StatLabel("Turnout by department", Map.of()),
        "rolling:5m:total", new StatLabel("Votes in the last 5 minutes", Map.of()),
        "rolling:1h:total", new StatLabel("Votes in the last hour", Map.of()),
        "timed:turnout", new StatLabel("Votes", Map.of()),
        "other:totalvotes", new StatLabel("Votes cast", Map.of()),
        "other:5m:totalvotes", new StatLabel("Votes cast in the last 5 minutes", Map.of()),
        "other:candidates", new StatLabel("President: votes per candidate", Map.of()));
  }

  static SourceDefinition definition(Instant start, Instant end) {
    SourceDefinition.Builder b = SourceDefinition.builder(SOURCE).startTime(start).endTime(end);
    PERIODS.forEach(b::timedPeriod);
    return b.stat(
            StatDefinition.of(StatDefinition.PROPORTION, "total")
                .withLoaderType(ConfigLoader.REDIS))
        .stat(
            StatDefinition.of(StatDefinition.PROPORTION, "studytypes")
                .withLoaderType(ConfigLoader.REDIS))
        .stat(
            StatDefinition.of(StatDefinition.PROPORTION, "departments")
                .withLoaderType(ConfigLoader.REDIS))
        .stat(
            StatDefinition.of(StatDefinition.ROLLING, "total")
                .withPeriod("5m")
                .withLoaderType(ConfigLoader.REDIS))
        .stat(
            StatDefinition.of(StatDefinition.ROLLING, "total")
                .withPeriod("1h")
                .withLoaderType(ConfigLoader.REDIS))
        .stat(StatDefinition.of(StatDefinition.TIMED, "turnout").withLoaderType(ConfigLoader.REDIS))
        .stat(
            StatDefinition.of(StatDefinition.OTHER, "totalvotes")
                .withDataType("single_value")
                .withLoaderType(ConfigLoader.REDIS))
        .stat(
            StatDefinition.of(StatDefinition.OTHER, "totalvotes")
                .withDataType("single_value")
                .withPeriod("5m")
                .withLoaderType(ConfigLoader.REDIS))
        .stat(
            StatDefinition.of(StatDefinition.OTHER, "candidates")
                .withDataType("generic")
                .withLoaderType(ConfigLoader.REDIS))
        .milestones(
            new MilestoneGroup(
                "turnout",
                StatDefinition.PROPORTION,
                "total",
                List.of(
                    new MilestoneDefinition(
                        "first voter", null, "current", 1, ">=", "The first vote is in!"),
                    new MilestoneDefinition(
                        "1000 voters", null, "current", 1000, ">=", "1,000 students have voted"),
                    new MilestoneDefinition(
                        "quarter", null, "percentage", 25, ">=", "25% turnout!"),
                    new MilestoneDefinition(
                        "third", null, "percentage", 33.3, ">=", "A third of students have voted"),
                    new MilestoneDefinition(
                        "half", null, "percentage", 50, ">=", "50% turnout — a record!"))))
        .milestones(
            new MilestoneGroup(
                "postgraduates",
                StatDefinition.PROPORTION,
                "studytypes",
                List.of(
                    new MilestoneDefinition(
                        "pgt 30",
                        List.of("PG", "T"),
                        "percentage",
                        30,
                        ">=",
                        "30% of taught postgraduates have voted"))))
        .milestones(
            new MilestoneGroup(
                "busy",
                StatDefinition.ROLLING,
                "5m:total",
                List.of(
                    new MilestoneDefinition(
                        "busy five minutes",
                        null,
                        "peakPercentage",
                        10,
                        ">=",
                        "10% of the electorate voted within five minutes"))))
        .build();
  }

  /**
   * Writes the electorate and {@code history} of votes ending at {@code now}: a slow start that
   * picks up, reaching about {@code turnout} of the electorate.
   */
  void seed(RedisClient redis, Instant now, Duration history, double turnout) {
    try (AbstractPipeline p = redis.pipelined()) {
      setTotal(p, root("total"), electorate);
      setTotal(p, root("studytypes"), electorate);
      int ug = 0;
      int pgt = 0;
      int pgr = 0;
      for (Department d : DEPARTMENTS) {
        ug += d.ug;
        pgt += d.pgt;
        pgr += d.pgr;
        NodeAddress dept = root("departments").child(d.name);
        p.sadd(keys.dataPoints(root("departments")), d.name);
        setTotal(p, dept, d.ug + d.pgt + d.pgr);
      }
      setTotal(p, root("departments"), electorate);
      p.sadd(keys.dataPoints(root("studytypes")), "UG", "PG");
      p.sadd(keys.dataPoints(root("studytypes").child("PG")), "T", "R");
      setTotal(p, root("studytypes").child("UG"), ug);
      setTotal(p, root("studytypes").child("PG"), pgt + pgr);
      setTotal(p, root("studytypes").child("PG").child("T"), pgt);
      setTotal(p, root("studytypes").child("PG").child("R"), pgr);
      for (String period : new String[] {"5m", "1h"}) {
        p.hset(
            keys.data(NodeAddress.root(StatAddress.of("total", period))),
            "total",
            Long.toString(electorate));
      }
      for (String c : CANDIDATES) {
        p.hsetnx(keys.data(root("candidates")), c, "0");
      }
      p.sync();
    }
    long start = now.minus(history).getEpochSecond();
    try (AbstractPipeline p = redis.pipelined()) {
      for (long t = start; t < now.getEpochSecond(); t++) {
        // The rate climbs linearly from 40% to 160% of the average over the history.
        double average = turnout * electorate / (double) history.toSeconds();
        double rate = average * (0.4 + 1.2 * (t - start) / (double) (now.getEpochSecond() - start));
        int n = poisson(rate);
        for (int i = 0; i < n; i++) {
          vote(p, t);
        }
        advanceRolling(t);
      }
      writeRolling(p, now.getEpochSecond());
      p.sync();
    }
  }

  /**
   * Casts about {@code votesPerSecond × seconds} votes at {@code now}, updates the rolling windows,
   * and announces every changed stat. Returns how many votes were cast.
   */
  int step(RedisClient redis, Instant now, double seconds, double votesPerSecond) {
    long t = now.getEpochSecond();
    // Bursts: the rate swings with the minute, as lecture breaks come and go; and it slows as
    // fewer students are left to vote, so the demo stays lively for a long time.
    double swing = 0.6 + 0.8 * Math.abs(Math.sin(t / 97.0));
    double left = (electorate - totalVotes) / (double) electorate;
    int n = poisson(votesPerSecond * seconds * swing * left);
    int cast = 0;
    try (AbstractPipeline p = redis.pipelined()) {
      for (int i = 0; i < n; i++) {
        if (vote(p, t)) {
          cast++;
        }
      }
      advanceRolling(t);
      writeRolling(p, t);
      Set<StatAddress> changed = new LinkedHashSet<>();
      if (cast > 0) {
        for (String name :
            new String[] {
              "total", "studytypes", "departments", "turnout", "totalvotes", "candidates"
            }) {
          changed.add(StatAddress.of(name));
        }
      }
      // Rolling windows move with time even without votes.
      changed.add(StatAddress.of("total", "5m"));
      changed.add(StatAddress.of("total", "1h"));
      changed.add(StatAddress.of("totalvotes", "5m"));
      for (StatAddress s : changed) {
        p.publish(keys.updates(s), "1");
      }
      p.sync();
    }
    return cast;
  }

  /** Everyone who can vote. */
  int electorate() {
    return electorate;
  }

  private boolean vote(AbstractPipeline p, long epochSecond) {
    int remaining = electorate - (int) totalVotes;
    if (remaining <= 0) {
      return false;
    }
    // Pick a voter who has not voted yet, uniformly: turnout then rises evenly across groups,
    // with a lean towards undergraduates and PGTs that makes the bars differ.
    int pick = random.nextInt(remaining);
    Department dept = null;
    int type = 0;
    outer:
    for (Department d : DEPARTMENTS) {
      int[] v = voted.get(d.name);
      int[] left = {d.ug - v[0], d.pgt - v[1], d.pgr - v[2]};
      for (int i = 0; i < 3; i++) {
        if (pick < left[i]) {
          dept = d;
          type = i;
          break outer;
        }
        pick -= left[i];
      }
    }
    if (type == 2 && random.nextDouble() < 0.35) {
      return false; // research students are busy in the lab
    }
    voted.get(dept.name)[type]++;
    totalVotes++;
    recentVotes.addLast(epochSecond);

    p.hincrBy(keys.data(root("total")), "current", 1);
    NodeAddress studytypes = root("studytypes");
    p.hincrBy(keys.data(studytypes), "current", 1);
    if (type == 0) {
      p.hincrBy(keys.data(studytypes.child("UG")), "current", 1);
    } else {
      p.hincrBy(keys.data(studytypes.child("PG")), "current", 1);
      p.hincrBy(keys.data(studytypes.child("PG").child(type == 1 ? "T" : "R")), "current", 1);
    }
    p.hincrBy(keys.data(root("departments")), "current", 1);
    p.hincrBy(keys.data(root("departments").child(dept.name)), "current", 1);
    for (TimedPeriod period : PERIODS) {
      p.hincrBy(
          keys.data(root("turnout").child(period.dataPointName())),
          Long.toString(period.bucketOf(epochSecond)),
          1);
    }
    p.incr(keys.data(root("totalvotes")));
    p.hincrBy(keys.data(root("candidates")), pickCandidate(), 1);
    return true;
  }

  private String pickCandidate() {
    double x = random.nextDouble();
    for (int i = 0; i < CANDIDATE_WEIGHTS.length; i++) {
      x -= CANDIDATE_WEIGHTS[i];
      if (x < 0) {
        return CANDIDATES.get(i);
      }
    }
    return CANDIDATES.get(0);
  }

  private void advanceRolling(long now) {
    while (!recentVotes.isEmpty() && recentVotes.peekFirst() <= now - 3600) {
      recentVotes.pollFirst();
    }
    peak5m = Math.max(peak5m, window(now, 300));
    peak1h = Math.max(peak1h, window(now, 3600));
  }

  private long window(long now, long seconds) {
    long n = 0;
    for (var it = recentVotes.descendingIterator(); it.hasNext(); ) {
      if (it.next() > now - seconds) {
        n++;
      } else {
        break;
      }
    }
    return n;
  }

  private void writeRolling(AbstractPipeline p, long now) {
    long fiveMinutes = window(now, 300);
    p.hset(
        keys.data(NodeAddress.root(StatAddress.of("total", "5m"))),
        Map.of("current", Long.toString(fiveMinutes), "peak", Long.toString(peak5m)));
    p.hset(
        keys.data(NodeAddress.root(StatAddress.of("total", "1h"))),
        Map.of("current", Long.toString(window(now, 3600)), "peak", Long.toString(peak1h)));
    p.set(
        keys.data(NodeAddress.root(StatAddress.of("totalvotes", "5m"))),
        Long.toString(fiveMinutes));
  }

  private void setTotal(AbstractPipeline p, NodeAddress node, int total) {
    p.hset(keys.data(node), "total", Integer.toString(total));
    p.hsetnx(keys.data(node), "current", "0");
  }

  private static NodeAddress root(String stat) {
    return NodeAddress.root(StatAddress.of(stat));
  }

  private int poisson(double mean) {
    if (mean <= 0) {
      return 0;
    }
    double l = Math.exp(-Math.min(mean, 500));
    int k = 0;
    double prod = random.nextDouble();
    while (prod > l) {
      k++;
      prod *= random.nextDouble();
    }
    return k;
  }
}
