#!/usr/bin/env bash
# `make abuse`: the attacks and faults of the hardening issue, run against the real binaries on loopback — a
# PostgreSQL and a Redis of their own (so a restart or FLUSHALL hurts nothing else), the sandbox, the API (and a second one
# with the production SSRF rules), two workers and the cron. Each scenario is bounded; the table says what
# happened, how many posts were lost or duplicated, and how long recovery took. Exits 1 when any was.
# ARKYRA_ABUSE_ONLY=postgres_restart,flush_and_kill runs only those scenarios (names as in scenarios.py).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/processes.sh
export PATH="/opt/swift/usr/bin:$PATH"

scripts/dev-services.sh install
build_binaries abuse

# The servers of this run: scripts/dev-services.sh with ports and directories of their own.
start_private_servers abuse
pg_port=$ARKYRA_DEV_PG_PORT redis_port=$ARKYRA_DEV_REDIS_PORT
fresh_database "$pg_port" arkyra_abuse
export ARKYRA_REDIS_URL="redis://127.0.0.1:$redis_port/0" ARKYRA_REDIS_KEY_PREFIX=abuse
random_secrets a
export ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS=true ARKYRA_LOG_LEVEL=${ARKYRA_LOG_LEVEL:-warning} ARKYRA_STORAGE_PATH=.run/abuse-storage ARKYRA_BCRYPT_COST=4
export ARKYRA_HTTP_HEADER_TIMEOUT_SECONDS=2 ARKYRA_RECONCILE_INTERVAL_SECONDS=5 ARKYRA_OUTBOUND_TIMEOUT_SECONDS=10
# The scenarios test the API key's budget elsewhere; publishing under load needs more than 120 requests a minute.
export ARKYRA_RATE_LIMIT_API_KEY_PER_MINUTE=2000
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  scripts/dev-services.sh stop >/dev/null || true
}
trap cleanup EXIT
sandbox_port=$(free_port) api_port=$(free_port) strict_port=$(free_port)
"$bin/arkyra-sandbox" --port "$sandbox_port" > .run/logs/abuse-sandbox.log 2>&1 & pids+=($!)
ARKYRA_API_PORT=$api_port ARKYRA_ADMIN_PORT=$(free_port) "$bin/arkyra-api" --env-file /nonexistent/.env > .run/logs/abuse-api.log 2>&1 & api_pid=$!; pids+=($api_pid)
wait_for_health "http://127.0.0.1:$api_port/health" "$api_pid" || { echo "the API did not start:" >&2; tail -5 .run/logs/abuse-api.log >&2; exit 1; }
ARKYRA_API_PORT=$strict_port ARKYRA_ADMIN_PORT=$(free_port) ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS=false ARKYRA_MIGRATE_ON_START=false \
  "$bin/arkyra-api" --env-file /nonexistent/.env > .run/logs/abuse-api-strict.log 2>&1 & pids+=($!)
start_worker() {
  ARKYRA_ADMIN_PORT=$(free_port) ARKYRA_WORKER_ID="abuse-worker-$1" "$bin/arkyra-worker" --env-file /nonexistent/.env > ".run/logs/abuse-worker-$1.log" 2>&1 &
  echo $!
}
worker_a=$(start_worker a); pids+=("$worker_a")
worker_b=$(start_worker b); pids+=("$worker_b")
ARKYRA_ADMIN_PORT=$(free_port) "$bin/arkyra-cron" --env-file /nonexistent/.env > .run/logs/abuse-cron.log 2>&1 & pids+=($!)
wait_for_health "http://127.0.0.1:$strict_port/health" || { echo "the strict API did not start" >&2; exit 1; }

out=.run/abuse-results.jsonl
python3 scripts/abuse/scenarios.py --api "http://127.0.0.1:$api_port" --strict-api "http://127.0.0.1:$strict_port" \
  --sandbox "http://127.0.0.1:$sandbox_port" --redis-port "$redis_port" --psql "psql -h 127.0.0.1 -p $pg_port -U arkyra -d arkyra_abuse" \
  --kill-worker "$worker_a" --start-worker "$bin/arkyra-worker" --restart-postgres "$root/scripts/dev-services.sh restart-postgres" \
  --api-pid "$api_pid" --only "${ARKYRA_ABUSE_ONLY:-}" > "$out"
python3 scripts/abuse/table.py "$out"
