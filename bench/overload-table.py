#!/usr/bin/env python3
"""Renders bench/run-overload.sh results (JSON lines) as the Markdown tables of BENCHMARKS.md.

    bench/overload-table.py bench/overload-2026-12-01.jsonl
"""
import json
import sys

WORKLOADS = {
    "mixed": "Mixed audience: 40 % fast, 40 % CPU-starved, 10 % throttled to 16 KiB/s, 10 % stalling 5 s in 15",
    "starved": "Every client CPU-starved",
    "fast": "Every client fast (the latency benchmark's lighter updates: 3 stats a vote)",
}


def fmt_ms(v):
    return f"{v / 1000:.1f} s" if v >= 1000 else f"{v:,.0f} ms"


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    for workload, title in WORKLOADS.items():
        runs = [r for r in rows if r.get("workload") == workload and "populations" in r]
        if not runs:
            continue
        print(f"#### {title}\n")
        print("| clients | build | population | freshness p50 / p99 | age p50 / p99 / max | messages per client | dropped | stale at the end | server CPU, peak RSS |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in runs:
            first = True
            for p in r["populations"]:
                server = f"{r['serverCpuPercentWhileWriting']} %, {r['serverPeakRssMB']} MB" if first else ""
                dropped = str(p["dropped"]) + ("" if not p["dropReasons"] else " (" + ", ".join(f"{k}: {v}" for k, v in p["dropReasons"].items()) + ")")
                print(f"| {r['clients']:,} | {r['build']} | {p['population']} | {fmt_ms(p['freshnessP50Ms'])} / {fmt_ms(p['freshnessP99Ms'])} "
                      f"| {fmt_ms(p['ageP50Ms'])} / {fmt_ms(p['ageP99Ms'])} / {fmt_ms(p['ageMaxMs'])} | {p['messagesPerClient']:.0f} "
                      f"| {dropped} | {p['stale']:,} of {p['clients']:,} | {server} |")
                first = False
        print()


if __name__ == "__main__":
    main(sys.argv[1])
