#!/usr/bin/env bash
# A/B of two server builds under the single-event load, in interleaved pairs (A B, B A, A B, ...), each run on a
# fresh DuckDB file: events/s, p99 and the server's CPU time per request (utime + stime of the process from /proc
# over the measured run, divided by its requests). On a 2-core machine the throughput of runs of the same jar minutes
# apart spreads widely; CPU per request and many alternating pairs are what tell two builds apart.
#   A=interlace-server/target/interlace-server.jar B=/path/to/before.jar ROUNDS=6 benchmarks/load/ab-single.sh
# Also: DURATION (20, seconds), WARMUP (20, seconds), CONNECTIONS (50), THREADS (2), PORT (18080).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
A=${A:-interlace-server/target/interlace-server.jar}
B=${B:?B=<jar of the other build>}
ROUNDS=${ROUNDS:-6}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-20}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
TICKS=$(getconf CLK_TCK)
command -v wrk >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }

run() { # jar tag round
  local jar=$1 tag=$2 round=$3 data pid out t0 t1 requests
  data=$(mktemp -d /tmp/interlace-ab.XXXXXX)
  java ${JAVA_OPTS:-} -jar "$jar" --server.port="$PORT" \
    --spring.config.additional-location="file:$ROOT/benchmarks/load/bench-streams.yml" \
    --interlace.connections.default.path="$data/interlace.duckdb" > "$data/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/api/v1/streams/bench" >/dev/null && break; sleep 0.5; done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s benchmarks/load/publish-single.lua "http://127.0.0.1:$PORT" >/dev/null
  t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s benchmarks/load/publish-single.lua \
    "http://127.0.0.1:$PORT")
  t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  requests=$(echo "$out" | awk '/requests in/ { print $1 }')
  printf 'round %s %s events/s=%s p99=%s cpu_us_per_request=%s\n' "$round" "$tag" \
    "$(echo "$out" | sed -nE 's/^events\/s: ([0-9.]+).*/\1/p')" "$(echo "$out" | awk '/ 99%/ { print $2 }')" \
    "$(awk -v a="$t0" -v b="$t1" -v n="$requests" -v hz="$TICKS" 'BEGIN { printf "%.0f", (b - a) * 1e6 / hz / n }')"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}

for round in $(seq 1 "$ROUNDS"); do
  if [ $(( round % 2 )) -eq 1 ]; then run "$A" A "$round"; run "$B" B "$round"; else run "$B" B "$round"; run "$A" A "$round"; fi
done
