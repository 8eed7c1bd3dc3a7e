#!/usr/bin/env bash
# An independent check of bench/run-loadtest.sh: the same server and writer, with the audience
# played by Node.js 'ws' clients in one process (bench/node/audience.mjs), each parsing every
# message. Prints the audience's JSON plus the server's CPU and peak RSS.
#
#   bench/run-node-audience.sh CLIENTS [SECONDS_OF_WRITING]      (npm install runs once, in bench/node)
#   SERVER_JAR: another build's jar to serve with; TOUCH: the stats each vote changes.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
clients=${1:?clients}
duration=${2:-20}
touch=${TOUCH:-total,studytypes,departments,halls,5m:total,totalvotes,5m:totalvotes,turnout}
jar="$root/arithmospora-cli/target/arithmospora.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -ntp -DskipTests -pl arithmospora-cli -am package)
[ -d "$root/bench/node/node_modules/ws" ] || (cd "$root/bench/node" && npm install --no-audit --no-fund --silent)
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
    "$root/bench/loadtest.conf" > "$work/loadtest.conf"
for _ in $(seq 100); do grep -q listening "$work/redis.log" && break; sleep 0.1; done
java ${SERVER_OPTS:--Xmx1g -XX:+UseG1GC} -jar "${SERVER_JAR:-$jar}" serve -c "$work/loadtest.conf" > "$work/server.log" 2>&1 &
server=$!
pids+=($server)
for _ in $(seq 200); do grep -q "Serving" "$work/server.log" && break; sleep 0.1; done

# Seed and stamp once, so that every stat exists before the audience arrives.
java -Xmx256m -jar "$jar" loadtest --url "ws://127.0.0.1:$ws_port/loadtest" --redis "127.0.0.1:$redis_port" \
    --clients 1 --duration 1 --rate 1 --seed --no-reconnect --json > /dev/null 2>&1
node --max-old-space-size=4096 "$root/bench/node/audience.mjs" "ws://127.0.0.1:$ws_port/loadtest" "$clients" \
    "$duration" 15 > "$work/audience.json" 2> "$work/audience.log" &
audience=$!
pids+=($audience)
until grep -q CONNECTED "$work/audience.log"; do sleep 0.2; done
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
t0=$(cpu_ticks "$server"); s0=$(date +%s.%N)
java -Xmx256m -jar "$jar" loadtest --url "ws://127.0.0.1:$ws_port/loadtest" --redis "127.0.0.1:$redis_port" \
    --clients 1 --duration "$duration" --rate 5 --touch "$touch" --no-reconnect --settle 1 --json > /dev/null 2>&1 || true
t1=$(cpu_ticks "$server"); s1=$(date +%s.%N)
wait "$audience" || true
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
cpu=$(echo "($t1 - $t0) / $(getconf CLK_TCK) / ($s1 - $s0) * 100" | bc -l)
result=$(cat "$work/audience.json")
printf '%s\n' "${result%\}}, \"serverCpuPercentWhileWriting\": $(printf %.0f "$cpu"), \"serverPeakRssMB\": $((hwm / 1024))}"
