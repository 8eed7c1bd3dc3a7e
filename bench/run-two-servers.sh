#!/usr/bin/env bash
# Several servers on one Redis, as behind a load balancer without sticky sessions: a private
# Redis, SERVERS servers (default 2) each in its own JVM, and one load tool whose clients are dealt
# out among them (--url once per server). Prints one JSON object: the load tool's results, with each
# population reported per server, plus each server's CPU while writing.
#
#   bench/run-two-servers.sh CLIENTS [MIN_MS MAX_MS] [DURATION_S] [RATE]
#   SERVERS=1 runs the same with one server, for the comparison. LOAD_ARGS: more load tool options.
set -euo pipefail
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
clients=${1:?clients}
min_ms=${2:-20}
max_ms=${3:-100}
duration=${4:-20}
rate=${5:-5}
servers=${SERVERS:-2}
bench_start "$min_ms" "$max_ms"

# The first server is bench_start's; each other one serves the same file on ports of its own.
server_pids=("$server")
urls="--url ws://127.0.0.1:$ws_port/loadtest"
for i in $(seq 2 "$servers"); do
  ws=$((redis_port + 2 * i - 1)); web=$((redis_port + 2 * i))
  sed -e "s/127.0.0.1:$ws_port/127.0.0.1:$ws/" -e "s/127.0.0.1:$web_port/127.0.0.1:$web/" \
    "$work/loadtest.conf" > "$work/loadtest-$i.conf"
  java ${SERVER_OPTS:--Xmx1g -XX:+UseG1GC} -jar "${SERVER_JAR:-$jar}" serve -c "$work/loadtest-$i.conf" > "$work/server-$i.log" 2>&1 &
  server_pids+=($!)
  pids+=($!)
  for _ in $(seq 200); do grep -q "Serving" "$work/server-$i.log" && break; sleep 0.1; done
  urls="$urls --url ws://127.0.0.1:$ws/loadtest"
done

# shellcheck disable=SC2086
java ${LOAD_OPTS:--Xmx2g} -jar "$jar" loadtest $urls --redis "127.0.0.1:$redis_port" \
    --clients "$clients" --rate "$rate" --duration "$duration" --seed --json --no-reconnect ${LOAD_ARGS:-} \
    > "$work/result.json" 2> "$work/load.log" &
load=$!
pids+=($load)
until grep -q "Writing" "$work/load.log"; do sleep 0.1; done
t0=(); for p in "${server_pids[@]}"; do t0+=("$(cpu_ticks "$p")"); done
l0=$(cpu_ticks "$load"); s0=$(date +%s.%N)
t1=("${t0[@]}"); l1=$l0
until grep -q "\"clients\"" "$work/result.json" 2>/dev/null; do
  for k in "${!server_pids[@]}"; do t1[$k]=$(cpu_ticks "${server_pids[$k]}" 2>/dev/null || echo "${t1[$k]}"); done
  l1=$(cpu_ticks "$load" 2>/dev/null || echo "$l1")
  # Stop counting when the writing ends, as run-loadtest.sh does.
  grep -q "s: .*connected" "$work/load.log" && [ "$(grep -c "s: .*connected" "$work/load.log")" -ge "$duration" ] && break
  sleep 0.2
done
s1=$(date +%s.%N)
wait "$load" || true
hz=$(getconf CLK_TCK)
cpus=""
for k in "${!server_pids[@]}"; do
  c=$(echo "(${t1[$k]} - ${t0[$k]}) / $hz / ($s1 - $s0) * 100" | bc -l)
  cpus="$cpus${cpus:+, }$(printf %.0f "$c")"
done
load_cpu=$(echo "($l1 - $l0) / $hz / ($s1 - $s0) * 100" | bc -l)
result=$(cat "$work/result.json")
printf '%s\n' "${result%\}}, \"servers\": $servers, \"debounceMinMs\": $min_ms, \"debounceMaxMs\": $max_ms, \"serverCpuPercentWhileWriting\": [$cpus], \"loadToolCpuPercentWhileWriting\": $(printf %.0f "$load_cpu")}"
if [ -n "${KEEP_LOGS:-}" ]; then cp "$work"/*.log "$KEEP_LOGS"/; fi
