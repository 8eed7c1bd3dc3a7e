#!/usr/bin/env bash
# Runs the JMH benchmarks that live with the tests of core and ws.
#   bench/jmh.sh [JMH OPTIONS] [BENCHMARK REGEX]     e.g. bench/jmh.sh FanOutBenchmark
# The numbers depend on the machine and what else runs on it: compare results of one run.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
log="$(mktemp)"
if ! mvn -B -ntp -DskipTests -pl arithmospora-core,arithmospora-ws -am install dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; exit 1
fi
rm -f "$log"
for module in arithmospora-core arithmospora-ws; do
  cp="$root/$module/target/test-classes:$root/$module/target/classes:$(cat "$root/$module/target/test-classpath.txt")"
  echo "== $module" >&2
  java -cp "$cp" org.openjdk.jmh.Main "$@" || true
done
