package org.arithmospora.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.arithmospora.core.type.ProportionData;
import org.arithmospora.core.wire.EncodedMessage;
import org.arithmospora.core.wire.WireFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding a stat tree into its message: done once per change, however many clients. Run with
 * {@code bench/jmh.sh WireFormatBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WireFormatBenchmark {
  private StatDefinition departments;
  private DataPoint departmentsTree;
  private StatDefinition total;
  private DataPoint totalTree;

  @Setup
  public void setUp() {
    // A department breakdown: 12 departments, each with 4 years, each with UG/PG: 108 data points.
    Map<String, DataPoint> depts = new LinkedHashMap<>();
    for (int d = 0; d < 12; d++) {
      Map<String, DataPoint> years = new LinkedHashMap<>();
      for (int y = 1; y <= 4; y++) {
        years.put(
            "Y" + y,
            DataPoint.of(
                "Y" + y,
                new ProportionData(30 + y, 120),
                Map.of(
                    "UG", DataPoint.of("UG", new ProportionData(20, 80)),
                    "PG", DataPoint.of("PG", new ProportionData(10 + y, 40)))));
      }
      depts.put(
          "Department " + d,
          DataPoint.of("Department " + d, new ProportionData(130 + d, 480), years));
    }
    departments = StatDefinition.of("proportion", "departments");
    departmentsTree = DataPoint.of("departments", new ProportionData(1700, 5760), depts);
    total = StatDefinition.of("proportion", "total");
    totalTree = DataPoint.of("total", new ProportionData(1700, 5760));
  }

  /** A 108-data-point tree (about 12 KB of JSON). */
  @Benchmark
  public EncodedMessage encodeLargeTree() {
    return WireFormat.stat(departments, departmentsTree);
  }

  /** A single proportion (about 120 bytes). */
  @Benchmark
  public EncodedMessage encodeSmallStat() {
    return WireFormat.stat(total, totalTree);
  }
}
