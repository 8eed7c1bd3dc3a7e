#!/usr/bin/env bash
# One load-test run on this machine: a private Redis, the server in its own JVM, and the load tool
# in another, all on loopback. Prints one JSON object: the load tool's results plus the server's
# CPU, peak RSS and heap per idle connection.
#
#   bench/run-loadtest.sh CLIENTS [MIN_MS MAX_MS] [DURATION_S] [RATE]
#   SERVER_OPTS / LOAD_OPTS: JVM options of the server / load tool; LOAD_ARGS: more load tool options
#   (e.g. LOAD_ARGS="--population fast=50% --population parse=50%"); SERVER_JAR: another build's jar
#   to serve with (the load tool and Redis stay this build's), for before/after pairs.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
clients=${1:?clients}
min_ms=${2:-20}
max_ms=${3:-100}
duration=${4:-30}
rate=${5:-5}
jar="$root/arithmospora-cli/target/arithmospora.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -ntp -DskipTests -pl arithmospora-cli -am package)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work="$(mktemp -d)"
redis_port=$((20000 + RANDOM % 10000))
ws_port=$((redis_port + 1))
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

java -Xmx64m -jar "$jar" redis --port "$redis_port" > "$work/redis.log" 2>&1 &
pids+=($!)
sed -e "s/127.0.0.1:6390/127.0.0.1:$redis_port/" -e "s/127.0.0.1:8090/127.0.0.1:$ws_port/" \
    -e "s/min_time_ms = 20/min_time_ms = $min_ms/" -e "s/max_time_ms = 100/max_time_ms = $max_ms/" \
    "$root/bench/loadtest.conf" > "$work/loadtest.conf"
for _ in $(seq 100); do grep -q listening "$work/redis.log" && break; sleep 0.1; done

# The server: the heap a box of this size would give it; its own JVM so its numbers are its own.
java ${SERVER_OPTS:--Xmx1g -XX:+UseG1GC} -jar "${SERVER_JAR:-$jar}" serve -c "$work/loadtest.conf" > "$work/server.log" 2>&1 &
server=$!
pids+=($server)
for _ in $(seq 200); do grep -q "Serving" "$work/server.log" && break; sleep 0.1; done

heap_used() { jcmd "$server" GC.run >/dev/null; jcmd "$server" GC.heap_info | awk '/garbage-first heap|total/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub("K,?","",v); print v; exit}}'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/${1:-$server}/stat"; }

heap0=$(heap_used); rss0=$(rss_kb)

java ${LOAD_OPTS:--Xmx2g} -jar "$jar" loadtest --url "ws://127.0.0.1:$ws_port/loadtest" --redis "127.0.0.1:$redis_port" \
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
