# Shared by the bench scripts (source it): a private Redis and a server on loopback, cleaned up
# when the script exits.
#
#   bench_start MIN_MS MAX_MS    debounce of the served bench/loadtest.conf
#
# Sets: root, jar (this build's runnable jar, built if missing), work (a temporary directory with
# redis.log, server.log and loadtest.conf), redis_port, ws_port, web_port (the HTTP side: event
# streams at /sources/loadtest/events), server (the server's pid), and
# pids (what cleanup kills). SERVER_JAR serves with another build; SERVER_OPTS sets its JVM options.
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
jar="$root/arithmospora-cli/target/arithmospora.jar"

bench_start() {
  local min_ms=$1 max_ms=$2
  [ -f "$jar" ] || (cd "$root" && mvn -B -q -ntp -DskipTests -pl arithmospora-cli -am package)
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  work="$(mktemp -d)"
  redis_port=$((20000 + RANDOM % 10000))
  ws_port=$((redis_port + 1))
  web_port=$((redis_port + 2))
  pids=()
  trap bench_cleanup EXIT

  java -Xmx64m -jar "$jar" redis --port "$redis_port" > "$work/redis.log" 2>&1 &
  pids+=($!)
  sed -e "s/127.0.0.1:6390/127.0.0.1:$redis_port/" -e "s/127.0.0.1:8090/127.0.0.1:$ws_port/" \
      -e "s/127.0.0.1:8091/127.0.0.1:$web_port/" \
      -e "s/min_time_ms = 20/min_time_ms = $min_ms/" -e "s/max_time_ms = 100/max_time_ms = $max_ms/" \
      "$root/bench/loadtest.conf" > "$work/loadtest.conf"
  for _ in $(seq 100); do grep -q listening "$work/redis.log" && break; sleep 0.1; done

  # The server: the heap a box of this size would give it; its own JVM so its numbers are its own.
  java ${SERVER_OPTS:--Xmx1g -XX:+UseG1GC} -jar "${SERVER_JAR:-$jar}" serve -c "$work/loadtest.conf" > "$work/server.log" 2>&1 &
  server=$!
  pids+=($server)
  for _ in $(seq 200); do grep -q "Serving" "$work/server.log" && break; sleep 0.1; done
}

bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # SERVER_LOG=path keeps the server's log (its Delivery: lines say who was behind).
  if [ -n "${SERVER_LOG:-}" ]; then cp "$work/server.log" "$SERVER_LOG" || true; fi
  # LOAD_LOG=path keeps the load tool's log.
  if [ -n "${LOAD_LOG:-}" ]; then cp "$work/load.log" "$LOAD_LOG" || true; fi
  rm -rf "$work"
}

# CPU ticks (user + system) of a process, the server by default.
cpu_ticks() { awk '{print $14 + $15}' "/proc/${1:-$server}/stat"; }
