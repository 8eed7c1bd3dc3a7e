#!/usr/bin/env bash
# The overload matrix of BENCHMARKS.md: audiences that cannot all keep up, at several sizes, for
# one or more server builds run in alternation. Appends one JSON object per run to OUT.
#
#   bench/run-overload.sh OUT.jsonl "1000 5000 10000" label=path/to/arithmospora.jar [label=jar ...]
#
# Workloads (20 s of 5 votes/s, debounce 20/100 ms, each vote changing 8 of the 17 stats):
#   mixed   40 % fast, 40 % CPU-starved (one thread parses every message, 10 µs of work each),
#           10 % reading 16 KiB/s through an 8 KiB receive buffer, 10 % stalling 5 s every 15 s;
#   starved every client CPU-starved, as when one process holds them all;
#   fast    every client fast, with the lighter updates of the latency benchmark (2 stats + stamp);
#   sse-mixed  the mixed audience, every client reading an event stream instead of a websocket.
# WORKLOADS="mixed starved fast" (the default) chooses among them.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
out=${1:?output file}
sizes=${2:?sizes}
shift 2
[ $# -ge 1 ] || { echo "give at least one label=jar" >&2; exit 2; }
vote="--touch total,studytypes,departments,halls,5m:total,totalvotes,5m:totalvotes,turnout"
for workload in ${WORKLOADS:-mixed starved fast}; do
  case $workload in
    mixed) args="$vote --population fast=40% --population parse:10=40% --population throttle:16k=10% --population stall:5/15=10%" ;;
    starved) args="$vote --population parse:10=100%" ;;
    fast) args="" ;;
    sse-mixed) args="$vote --population sse-fast=40% --population sse-parse:10=40% --population sse-throttle:16k=10% --population sse-stall:5/15=10%" ;;
    *) echo "unknown workload $workload" >&2; exit 2 ;;
  esac
  for n in $sizes; do
    for build in "$@"; do
      label=${build%%=*}
      jar=${build#*=}
      echo "$(date +%T) $workload $n $label" >&2
      result=$(SERVER_JAR="$jar" LOAD_ARGS="$args --no-reconnect --settle 15" \
        "$root/bench/run-loadtest.sh" "$n" 20 100 20 5 2>/dev/null || true)
      if [ -n "$result" ]; then
        printf '{"workload": "%s", "build": "%s", %s\n' "$workload" "$label" "${result#\{}" >> "$out"
      else
        printf '{"workload": "%s", "build": "%s", "clients": %s, "failed": "no result"}\n' "$workload" "$label" "$n" >> "$out"
      fi
    done
  done
done
