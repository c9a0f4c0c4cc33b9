#!/usr/bin/env bash
# Throughput of the server as ratios to peers measured in the same run, on the same machine, with the same load
# settings, so that a reader can tell the server's cost from the machine's speed (absolute figures drift with the
# machine and whatever else runs on it). Each round measures, one after the other:
#   - the floor of the HTTP stack: HttpFloor from the benchmarks jar (reads the JSON body, answers 202, stores
#     nothing), under the same wrk load as run.sh's single-event publishes;
#   - durable Redis: a private redis-server with appendonly yes, appendfsync always, in a temporary directory;
#     redis-benchmark XADD of an event of the same four fields, CONNECTIONS clients one command at a time (the peer of
#     single-event publishes) and BATCH_CONNECTIONS clients pipelining BATCH commands (the peer of batches of BATCH);
#   - the server (JAR), and a second build of it (JAR2) if given, each with run.sh: single-event and batch publishes.
# Then it prints the server's events/s with its ratio to each peer and the peers' absolute figures beside it.
#   benchmarks/load/compare.sh                                   # 30 s per load after 30 s of warm-up, one round
#   JAR2=/work/before/server.jar benchmarks/load/compare.sh      # A/B: JAR (default: this tree's jar) and JAR2
#   ROUNDS=3 DURATION=20s benchmarks/load/compare.sh             # rounds alternate the order of JAR and JAR2
#   DURATION=3s WARMUP=2s benchmarks/load/compare.sh             # a smoke run: the numbers mean nothing
# Also: DB=postgres (as run.sh), CONNECTIONS (50), BATCH_CONNECTIONS (16), BATCH (100), THREADS (2),
# FLOOR_STACK (functional; see HttpFloor), FLOOR_JAR (benchmarks/target/benchmarks.jar), FLOOR_PORT (18090),
# REDIS_PORT (16390), PORT (18080), JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export DURATION=${DURATION:-30s}
export WARMUP=${WARMUP:-30s}
export CONNECTIONS=${CONNECTIONS:-50}
export BATCH_CONNECTIONS=${BATCH_CONNECTIONS:-16}
export BATCH=${BATCH:-100}
export THREADS=${THREADS:-2}
JAR=${JAR:-interlace-server/target/interlace-server.jar}
JAR2=${JAR2:-}
ROUNDS=${ROUNDS:-1}
FLOOR_STACK=${FLOOR_STACK:-functional}
FLOOR_PORT=${FLOOR_PORT:-18090}
REDIS_PORT=${REDIS_PORT:-16390}
FLOOR_JAR=${FLOOR_JAR:-benchmarks/target/benchmarks.jar}

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-benchmark >/dev/null || missing+=(redis-tools)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
[ -f "$JAR" ] || mvn -B -q -DskipTests package -pl interlace-server -am
[ -f "$FLOOR_JAR" ] || mvn -B -q -DskipTests package -pl benchmarks -am
[ -z "$JAR2" ] || [ -f "$JAR2" ] || { echo "JAR2 $JAR2 not found"; exit 1; }

WORK=$(mktemp -d /tmp/interlace-compare.XXXXXX)
FLOOR=
REDIS=
cleanup() {
  for pid in $FLOOR $REDIS; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

seconds() { # 30s, 2m, 1h -> seconds
  case "$1" in
    *h) echo $(( ${1%h} * 3600 )) ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

# events/s of a wrk run with publish-single.lua, from its output file
single_rate() { sed -nE 's/^events\/s: ([0-9.]+).*/\1/p' "$1" | tail -1; }

floor_single() { # output file
  java ${JAVA_OPTS:-} -cp "$FLOOR_JAR" dev.interlace.benchmarks.HttpFloor "$FLOOR_STACK" "$FLOOR_PORT" \
    > "$WORK/floor.log" 2>&1 &
  FLOOR=$!
  local url="http://127.0.0.1:$FLOOR_PORT"
  for _ in $(seq 1 60); do
    curl -sf -o /dev/null -H 'Content-Type: application/json' -d '{"id":1}' "$url/api/v1/streams/bench" && break
    sleep 0.5
  done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s benchmarks/load/publish-single.lua "$url" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s benchmarks/load/publish-single.lua "$url" > "$1"
  kill "$FLOOR"; wait "$FLOOR" 2>/dev/null || true
  FLOOR=
}

# XADD commands/s of redis-benchmark with CLIENTS clients and PIPELINE commands per round trip, run for about
# DURATION: a short run first (also the warm-up) gives the rate that sizes the measured one.
redis_xadd() { # clients pipeline output-file
  local clients=$1 pipeline=$2 out=$3 rate n
  local xadd=(XADD bench '*' id 1 user user-1 amount 1.5 sent_at 0)
  rate=$(redis-benchmark -p "$REDIS_PORT" -c "$clients" -P "$pipeline" -n 20000 -q "${xadd[@]}" \
    | grep -oE '[0-9.]+ requests per second' | tail -1 | cut -d' ' -f1)
  n=$(awk -v r="${rate:-1000}" -v s="$(seconds "$DURATION")" 'BEGIN { n = int(r * s); print (n < 20000) ? 20000 : n }')
  redis-benchmark -p "$REDIS_PORT" -c "$clients" -P "$pipeline" -n "$n" -q "${xadd[@]}" > "$out" 2>&1
}
xadd_rate() { grep -oE '[0-9.]+ requests per second' "$1" | tail -1 | cut -d' ' -f1; }

redis_both() { # single-output batch-output
  # Redis 7 keeps its append-only files in a directory of their own: start each round from an empty one.
  rm -rf "$WORK/redis"
  mkdir -p "$WORK/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK/redis" --appendonly yes --appendfsync always \
    --save '' --daemonize no > "$WORK/redis.log" 2>&1 &
  REDIS=$!
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
  [ "$(redis-cli -p "$REDIS_PORT" config get appendfsync | tail -1)" = always ] || { echo "redis not durable"; exit 1; }
  redis_xadd "$CONNECTIONS" 1 "$1"
  redis-cli -p "$REDIS_PORT" del bench >/dev/null
  redis_xadd "$BATCH_CONNECTIONS" "$BATCH" "$2"
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$REDIS"
  wait "$REDIS" 2>/dev/null || true
  REDIS=
}

server_both() { # jar output-file
  JAR=$1 benchmarks/load/run.sh all > "$2" 2>&1 || { echo "run.sh failed with $1:"; tail -20 "$2"; exit 1; }
}
server_single() { awk '/^== single/ { s = 1 } s && /^events\/s:/ { print $2; exit }' "$1"; }
server_batch() { sed -nE 's/^requests\/s: [0-9.]+, events\/s: ([0-9.]+).*/\1/p' "$1" | tail -1; }
non2xx() { grep -hE '^non-2xx responses: [1-9]' "$@" || true; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
num() { awk -v a="$1" 'BEGIN { printf "%.0f", a }'; }

builds=("$JAR")
[ -z "$JAR2" ] || builds+=("$JAR2")
SUMMARY="$WORK/summary.txt"
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round of $ROUNDS: HttpFloor ($FLOOR_STACK)"
  floor_single "$WORK/floor-$round.txt"
  echo "== round $round: durable Redis XADD"
  redis_both "$WORK/redis-single-$round.txt" "$WORK/redis-batch-$round.txt"
  order=("${builds[@]}")
  if [ $(( round % 2 )) -eq 0 ] && [ ${#builds[@]} -eq 2 ]; then order=("${builds[1]}" "${builds[0]}"); fi
  for jar in "${order[@]}"; do
    tag=$([ "$jar" = "$JAR" ] && echo JAR || echo JAR2)
    echo "== round $round: server $tag ($jar)"
    server_both "$jar" "$WORK/server-$tag-$round.txt"
  done

  floor=$(single_rate "$WORK/floor-$round.txt")
  redis1=$(xadd_rate "$WORK/redis-single-$round.txt")
  redisb=$(xadd_rate "$WORK/redis-batch-$round.txt")
  {
    echo "round $round (DURATION=$DURATION WARMUP=$WARMUP DB=${DB:-duckdb}; absolute figures in events/s)"
    printf '  %-34s %-5s %12s %26s %26s\n' load build events/s "/ HttpFloor $FLOOR_STACK" "/ Redis XADD durable"
    for tag in JAR JAR2; do
      f="$WORK/server-$tag-$round.txt"
      [ -f "$f" ] || continue
      ours=$(server_single "$f")
      printf '  %-34s %-5s %12s %26s %26s\n' "single events, $CONNECTIONS connections" "$tag" "$(num "$ours")" \
        "$(ratio "$ours" "$floor") ($(num "$floor")/s)" "$(ratio "$ours" "$redis1") ($(num "$redis1")/s)"
    done
    for tag in JAR JAR2; do
      f="$WORK/server-$tag-$round.txt"
      [ -f "$f" ] || continue
      ours=$(server_batch "$f")
      printf '  %-34s %-5s %12s %26s %26s\n' "batches of $BATCH, $BATCH_CONNECTIONS connections" "$tag" \
        "$(num "$ours")" "-" "$(ratio "$ours" "$redisb") ($(num "$redisb")/s, -P $BATCH)"
    done
    bad=$(non2xx "$WORK"/floor-"$round".txt "$WORK"/server-*-"$round".txt)
    [ -z "$bad" ] || echo "  WARNING, some requests failed: $bad"
  } | tee -a "$SUMMARY"
done
echo
echo "JAR=$JAR${JAR2:+  JAR2=$JAR2}  (raw outputs in $WORK)"
cat "$SUMMARY"
