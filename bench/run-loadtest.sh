#!/usr/bin/env bash
# One load-test run on this machine: a private Redis, the server in its own JVM, and the load tool
# in another, all on loopback. Prints one JSON object: the load tool's results plus the server's
# CPU, peak RSS and heap per idle connection.
#
#   bench/run-loadtest.sh CLIENTS [MIN_MS MAX_MS] [DURATION_S] [RATE]
#   SERVER_OPTS / LOAD_OPTS: JVM options of the server / load tool; LOAD_ARGS: more load tool options
#   (e.g. LOAD_ARGS="--population fast=50% --population parse=50%", or sse-fast=50% for event-stream
#   clients); SERVER_JAR: another build's jar
#   to serve with (the load tool and Redis stay this build's), for before/after pairs.
set -euo pipefail
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
clients=${1:?clients}
min_ms=${2:-20}
max_ms=${3:-100}
duration=${4:-30}
rate=${5:-5}
bench_start "$min_ms" "$max_ms"

heap_used() { jcmd "$server" GC.run >/dev/null; jcmd "$server" GC.heap_info | awk '/garbage-first heap|total/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub("K,?","",v); print v; exit}}'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }

heap0=$(heap_used); rss0=$(rss_kb)

java ${LOAD_OPTS:--Xmx2g} -jar "$jar" loadtest --url "ws://127.0.0.1:$ws_port/loadtest" \
    --sse-url "http://127.0.0.1:$web_port/sources/loadtest/events" --redis "127.0.0.1:$redis_port" \
    --clients "$clients" --rate "$rate" --duration "$duration" --hold 8 --seed --json ${LOAD_ARGS:-} > "$work/result.json" 2> "$work/load.log" &
load=$!
pids+=($load)
# Idle connections: measured while the load tool holds them.
for _ in $(seq 1200); do grep -q HOLDING "$work/load.log" && break; sleep 0.1; done
sleep 3
heap1=$(heap_used); rss1=$(rss_kb)
until grep -q "Writing" "$work/load.log"; do sleep 0.1; done
t0=$(cpu_ticks); l0=$(cpu_ticks "$load"); s0=$(date +%s.%N)
# The load tool may end right after writing: keep its last figure while it runs.
l1=$l0
until grep -q "Reconnect storm\|\"clients\"" "$work/load.log" "$work/result.json" 2>/dev/null; do
  l1=$(cpu_ticks "$load" 2>/dev/null || echo "$l1")
  sleep 0.2
done
t1=$(cpu_ticks); s1=$(date +%s.%N)
wait "$load" || true
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
hz=$(getconf CLK_TCK)
cpu=$(echo "($t1 - $t0) / $hz / ($s1 - $s0) * 100" | bc -l)
load_cpu=$(echo "($l1 - $l0) / $hz / ($s1 - $s0) * 100" | bc -l)
per_conn_heap=$(echo "($heap1 - $heap0) * 1024 / $clients" | bc -l)
per_conn_rss=$(echo "($rss1 - $rss0) * 1024 / $clients" | bc -l)
result=$(cat "$work/result.json")
printf '%s\n' "${result%\}}, \"debounceMinMs\": $min_ms, \"debounceMaxMs\": $max_ms, \"serverCpuPercentWhileWriting\": $(printf %.0f "$cpu"), \"loadToolCpuPercentWhileWriting\": $(printf %.0f "$load_cpu"), \"serverPeakRssMB\": $((hwm / 1024)), \"serverHeapBytesPerIdleConnection\": $(printf %.0f "$per_conn_heap"), \"serverRssBytesPerIdleConnection\": $(printf %.0f "$per_conn_rss")}"
if [ -n "${KEEP_LOGS:-}" ]; then cp "$work"/*.log "$KEEP_LOGS"/; fi
