#!/usr/bin/env bash
# Load benchmark of the running server with wrk: starts interlace-server.jar on a fresh DuckDB file (or, with
# DB=postgres, a fresh database in a local PostgreSQL with fsync on), runs the single-event and batched publish
# loads, stops the server and prints how many rows were stored.
#   benchmarks/load/run.sh                 # both loads, 30 s each
#   DURATION=10s CONNECTIONS=50 benchmarks/load/run.sh single
#   DB=postgres benchmarks/load/run.sh batch
#   WARMUP=30s: unmeasured load before each measured one
#   JAR=/tmp/other.jar: another build of the server, to compare two builds on the same machine
#   (benchmarks/load/compare.sh runs this for one or two builds beside HttpFloor and durable Redis, as ratios)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
JAR=${JAR:-interlace-server/target/interlace-server.jar}
PORT=${PORT:-18080}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-50}
BATCH_CONNECTIONS=${BATCH_CONNECTIONS:-16}
THREADS=${THREADS:-2}
WHAT=${1:-all}

command -v wrk >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
[ -f "$JAR" ] || mvn -B -q -DskipTests package -pl interlace-server -am

DATA=$(mktemp -d /tmp/interlace-load.XXXXXX)
if [ "${DB:-duckdb}" = postgres ]; then
  PG_PORT=${PG_PORT:-55432} benchmarks/load/start-postgres.sh
  PSQL="runuser -u postgres -- psql -X -q -h /tmp/interlace-pg/data.sock -p ${PG_PORT:-55432} -U postgres -d postgres"
  $PSQL -c "DROP DATABASE IF EXISTS interlace_bench" -c "CREATE DATABASE interlace_bench OWNER interlace"
  STORE_ARGS=(--spring.datasource.url="jdbc:postgresql://127.0.0.1:${PG_PORT:-55432}/interlace_bench"
    --spring.datasource.username=interlace --spring.datasource.password=interlace)
else
  STORE_ARGS=(--interlace.connections.default.path="$DATA/interlace.duckdb")
fi
java ${JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" \
  --spring.config.additional-location="file:$ROOT/benchmarks/load/bench-streams.yml" \
  "${STORE_ARGS[@]}" > "$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$PORT/api/v1/streams/bench" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/api/v1/streams/bench" >/dev/null || { echo "server did not start"; tail -50 "$DATA/server.log"; exit 1; }

URL="http://127.0.0.1:$PORT"
# Each load is first run unmeasured for WARMUP: the JIT compiles the request path for ~30 s under load (its
# compiler threads take half a core meanwhile), and a shorter warm-up measures the compiler, not the server.
WARMUP=${WARMUP:-30s}
if [ "$WHAT" = all ] || [ "$WHAT" = single ]; then
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s benchmarks/load/publish-single.lua "$URL" >/dev/null
  echo "== single-event publishes, $CONNECTIONS connections, $DURATION"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s benchmarks/load/publish-single.lua "$URL" | grep -E "events/s|latency p|non-2xx|Requests/sec"
fi
if [ "$WHAT" = all ] || [ "$WHAT" = batch ]; then
  wrk -t"$THREADS" -c"$BATCH_CONNECTIONS" -d"$WARMUP" -s benchmarks/load/publish-batch.lua "$URL" >/dev/null
  echo "== batches of ${BATCH:-100}, $BATCH_CONNECTIONS connections, $DURATION"
  wrk -t"$THREADS" -c"$BATCH_CONNECTIONS" -d"$DURATION" --latency -s benchmarks/load/publish-batch.lua "$URL" | grep -E "events/s|latency p|non-2xx|Requests/sec"
fi
echo "== stored rows: $(curl -s "$URL/api/v1/streams/bench" | sed -E 's/.*"row_count":([0-9]+).*/\1/')"
