#!/usr/bin/env bash
# An independent check of bench/run-loadtest.sh: the same server and writer, with the audience
# played by Node.js 'ws' clients in one process (bench/node/audience.mjs), each parsing every
# message. Prints the audience's JSON plus the server's CPU and peak RSS.
#
#   bench/run-node-audience.sh CLIENTS [SECONDS_OF_WRITING]      (npm install runs once, in bench/node)
#   SERVER_JAR: another build's jar to serve with; TOUCH: the stats each vote changes;
#   DEFLATE=1: the clients offer permessage-deflate, as browsers do.
set -euo pipefail
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
clients=${1:?clients}
duration=${2:-20}
touch=${TOUCH:-total,studytypes,departments,halls,5m:total,totalvotes,5m:totalvotes,turnout}
bench_start 20 100
[ -d "$root/bench/node/node_modules/ws" ] || (cd "$root/bench/node" && npm install --no-audit --no-fund --silent)

# Seed and stamp once, so that every stat exists before the audience arrives.
java -Xmx256m -jar "$jar" loadtest --url "ws://127.0.0.1:$ws_port/loadtest" --redis "127.0.0.1:$redis_port" \
    --clients 1 --duration 1 --rate 1 --seed --no-reconnect --json > /dev/null 2>&1
node --max-old-space-size=4096 "$root/bench/node/audience.mjs" "ws://127.0.0.1:$ws_port/loadtest" "$clients" \
    "$duration" 15 > "$work/audience.json" 2> "$work/audience.log" &
audience=$!
pids+=($audience)
until grep -q CONNECTED "$work/audience.log"; do sleep 0.2; done
t0=$(cpu_ticks); s0=$(date +%s.%N)
java -Xmx256m -jar "$jar" loadtest --url "ws://127.0.0.1:$ws_port/loadtest" --redis "127.0.0.1:$redis_port" \
    --clients 1 --duration "$duration" --rate 5 --touch "$touch" --no-reconnect --settle 1 --json > /dev/null 2>&1 || true
t1=$(cpu_ticks); s1=$(date +%s.%N)
wait "$audience" || true
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
cpu=$(echo "($t1 - $t0) / $(getconf CLK_TCK) / ($s1 - $s0) * 100" | bc -l)
result=$(cat "$work/audience.json")
printf '%s\n' "${result%\}}, \"serverCpuPercentWhileWriting\": $(printf %.0f "$cpu"), \"serverPeakRssMB\": $((hwm / 1024))}"
