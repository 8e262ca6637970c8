#!/usr/bin/env bash
# `make bench`: ARKYRA's queue next to BullMQ's Python port and RQ, measured in the same run against the
# same fresh Redis; the publishing burst, crash reclaim, the calendar, media (uploads beside curl, a
# transcode beside ffmpeg), and workflows on a Temporal dev server of their own beside Temporal's Python
# SDK. Prints a table and writes the figures as JSON lines to .bench/results.jsonl (one file per run;
# earlier runs are kept as .bench/results-TIMESTAMP.jsonl).
# ARKYRA_BENCH_ONLY=burst,media measures only those parts (queue, burst, calendar, media, workflows).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/processes.sh
export PATH="/opt/swift/usr/bin:$PATH"
private_task_queue bench

scripts/dev-services.sh start >/dev/null   # installs redis-server when missing
venv=.run/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import bullmq, rq, temporalio, selenium" 2>/dev/null; then
  echo "installing the peers (bullmq, rq, temporalio) and selenium into $venv ..."
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q bullmq==3.4.4 rq==3.0.0 temporalio==1.35.0 selenium==4.51.0
fi
# The calendar page is measured in Debian's Chromium.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

echo "building arkyra-bench and the services (release; the first time takes several minutes) ..."
mkdir -p .run/logs
for product in arkyra-bench arkyra-api arkyra-worker arkyra-sandbox; do
  swift build -c release --product "$product" >> .run/logs/bench-build.log 2>&1 || { tail -n 30 .run/logs/bench-build.log; exit 1; }
done
bin=$(swift build -c release --show-bin-path)
bench_bin=$bin/arkyra-bench

port=${ARKYRA_BENCH_REDIS_PORT:-$(free_port)}
mkdir -p .bench
bench_redis() { ARKYRA_DEV_REDIS_PORT=$port ARKYRA_DEV_REDIS_DIR="$root/.run/bench-redis" scripts/dev-services.sh "$1" >/dev/null; }
bench_redis start-redis
trap 'bench_redis stop-redis' EXIT

only=${ARKYRA_BENCH_ONLY:-queue,burst,calendar,media,workflows}
part() { [[ ",$only," == *",$1,"* ]]; }

out=.bench/results.jsonl
[ -f "$out" ] && mv "$out" ".bench/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
: > "$out"
if part queue; then
  echo "measuring ARKYRA ..."
  "$bench_bin" queue --redis-port "$port" >> "$out"
  echo "measuring BullMQ (Python) ..."
  "$venv/bin/python" scripts/bench/peers.py bullmq --redis-port "$port" >> "$out"
  echo "measuring RQ ..."
  "$venv/bin/python" scripts/bench/peers.py rq --redis-port "$port" --enqueue-jobs 20000 --process-jobs 5000 >> "$out"
fi

failed=0
if part burst; then
  echo "measuring a burst: 10,000 posts due in the same second, 4 worker processes ..."
  pg_port=${ARKYRA_DEV_PG_PORT:-55432}
  psql_admin="psql -h 127.0.0.1 -p $pg_port -U arkyra -d arkyra -qAt"
  $psql_admin -c "DROP DATABASE IF EXISTS arkyra_bench WITH (FORCE)" -c "CREATE DATABASE arkyra_bench" >/dev/null
  export ARKYRA_DATABASE_URL="postgres://arkyra:arkyra@127.0.0.1:$pg_port/arkyra_bench"
  export ARKYRA_REDIS_URL="redis://127.0.0.1:$port/0" ARKYRA_REDIS_KEY_PREFIX=burst
  export ARKYRA_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n') ARKYRA_ENCRYPTION_KEYS="b:$(head -c 32 /dev/urandom | base64)"
  export ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS=true ARKYRA_LOG_LEVEL=warning ARKYRA_WORKER_CONCURRENCY=256 ARKYRA_STORAGE_PATH=.run/bench-storage
  pids=()
  sandbox_port=$(free_port) api_port=$(free_port)
  "$bin/arkyra-sandbox" --port "$sandbox_port" > .run/logs/bench-sandbox.log 2>&1 & sandbox_pid=$!; pids+=($sandbox_pid)
  ARKYRA_API_PORT=$api_port ARKYRA_ADMIN_PORT=$(free_port) "$bin/arkyra-api" --env-file /nonexistent/.env > .run/logs/bench-api.log 2>&1 & api_pid=$!; pids+=($api_pid)
  worker_pids=()
  for index in 1 2 3 4; do
    ARKYRA_ADMIN_PORT=$(free_port) ARKYRA_WORKER_ID="bench-worker-$index" "$bin/arkyra-worker" --env-file /nonexistent/.env > ".run/logs/bench-worker-$index.log" 2>&1 &
    pids+=($!); worker_pids+=($!)
  done
  stop_burst() { kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null || true; $psql_admin -c "DROP DATABASE IF EXISTS arkyra_bench WITH (FORCE)" >/dev/null; }
  wait_for_health "http://127.0.0.1:$api_port/health" "$api_pid" || { echo "the API did not start:" >&2; tail -5 .run/logs/bench-api.log >&2; stop_burst; exit 1; }
  python3 scripts/bench/burst.py --api "http://127.0.0.1:$api_port" --sandbox "http://127.0.0.1:$sandbox_port" \
    --psql "psql -h 127.0.0.1 -p $pg_port -U arkyra -d arkyra_bench" --worker-pids "$(IFS=,; echo "${worker_pids[*]}")" \
    --postgres-pid "$(head -1 "${ARKYRA_DEV_PG_DATA:-$root/.run/postgres}/postmaster.pid")" --redis-pid "$(cat "$root/.run/bench-redis/redis.pid")" \
    --sandbox-pid "$sandbox_pid" >> "$out" || { echo "the burst was not measured (the reason is above)" >&2; failed=1; }
  echo "measuring crash reclaim: kill -9 of a worker holding posts, time until another worker claims them ..."
  workers=$(for index in 1 2 3 4; do printf 'bench-worker-%s=%s,' "$index" "${worker_pids[$((index - 1))]}"; done)
  python3 scripts/bench/reclaim.py --api "http://127.0.0.1:$api_port" --sandbox "http://127.0.0.1:$sandbox_port" \
    --psql "psql -h 127.0.0.1 -p $pg_port -U arkyra -d arkyra_bench" --workers "${workers%,}" >> "$out" || { echo "crash reclaim was not measured (the reason is above)" >&2; failed=1; }
  stop_burst
fi

if part calendar; then
  echo "measuring the calendar: a week of one organization with 1,000,000 posts in the table, through the API and as the web page, 64 connections; the page in Chromium ..."
  scripts/bench/calendar.sh "$bin" "$port" "$root/$venv/bin/python" >> "$out" || { echo "the calendar was not measured (the reason is above)" >&2; failed=1; }
fi
if part media; then
  echo "measuring media: uploads through the API to the disk and to S3 beside curl, memory during a 1000 MiB upload, a transcode beside ffmpeg ..."
  scripts/bench/media.sh "$bin" "$port" >> "$out" || { echo "media was not measured (the reason is above)" >&2; failed=1; }
fi

if part workflows; then
  echo "measuring workflows: ARKYRA's workflow worker beside Temporal's Python SDK on a Temporal dev server of their own ..."
  temporal_env=(ARKYRA_DEV_TEMPORAL_PORT="$(free_port)" ARKYRA_DEV_TEMPORAL_UI_PORT=0 ARKYRA_DEV_TEMPORAL_DIR="$root/.run/bench-temporal")
  rm -rf "$root/.run/bench-temporal"
  env "${temporal_env[@]}" scripts/temporal-server.sh start >/dev/null
  temporal_address=$(env "${temporal_env[@]}" scripts/temporal-server.sh env | sed -n 's/.*ARKYRA_TEMPORAL_ADDRESS=\([^ ]*\).*/\1/p')
  "$venv/bin/python" scripts/bench/temporal.py measure --address "$temporal_address" --swift-worker "$bench_bin" >> "$out" ||
    { echo "workflows were not measured (the reason is above)" >&2; failed=1; }
  env "${temporal_env[@]}" scripts/temporal-server.sh stop >/dev/null
fi

python3 scripts/bench/table.py "$out"
exit "$failed"
