#!/usr/bin/env bash
# `make rollout-check`: a rolling restart under load, on loopback with the real binaries.
#   1. Two APIs behind nginx take steady load from wrk (an authenticated GET that reads PostgreSQL) while
#      an expand migration is applied under them (a new nullable column on the table they read, as the rule
#      in docs/operations.md allows) and each is sent SIGTERM in turn and started again once the other
#      serves: zero failed requests.
#   2. A worker sent SIGTERM while it holds publish jobs finishes them or leaves them to the next worker:
#      every post is published exactly once.
# PostgreSQL and Redis of its own (as make abuse), so nothing else is disturbed. Exits 1 on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/processes.sh
export PATH="/opt/swift/usr/bin:$PATH"

command -v wrk >/dev/null && command -v nginx >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk nginx-light >/dev/null
}
scripts/dev-services.sh install
build_binaries rollout
start_private_servers rollout
work=$(mktemp -d)
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  scripts/dev-services.sh stop >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A fresh database each run: the channels' tokens are encrypted with this run's random key.
fresh_database "$ARKYRA_DEV_PG_PORT" arkyra_rollout
random_secrets r
export ARKYRA_REDIS_URL="redis://127.0.0.1:$ARKYRA_DEV_REDIS_PORT/0" ARKYRA_REDIS_KEY_PREFIX=rollout
export ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS=true ARKYRA_LOG_LEVEL=warning ARKYRA_STORAGE_PATH=.run/rollout-storage ARKYRA_BCRYPT_COST=4
export ARKYRA_RATE_LIMIT_USER_PER_MINUTE=1000000 ARKYRA_RATE_LIMIT_ORGANIZATION_PER_MINUTE=1000000 ARKYRA_TRUSTED_PROXIES=127.0.0.1
export ARKYRA_RECONCILE_INTERVAL_SECONDS=5
"$bin/arkyra-api" migrate >/dev/null

api_ports=($(free_port) $(free_port)) admin_ports=($(free_port) $(free_port)) api_pids=(0 0)
start_api() {
  ARKYRA_API_PORT=${api_ports[$1]} ARKYRA_ADMIN_PORT=${admin_ports[$1]} ARKYRA_MIGRATE_ON_START=false \
    "$bin/arkyra-api" --env-file /nonexistent/.env >> ".run/logs/rollout-api-$1.log" 2>&1 &
  api_pids[$1]=$!
  pids+=($!)
  wait_for_health "http://127.0.0.1:${admin_ports[$1]}/health" "${api_pids[$1]}" || { echo "api $1 did not start" >&2; exit 1; }
}
start_api 0
start_api 1

# nginx retries an idempotent request on the other API when one refuses or drops the connection.
proxy_port=$(free_port)
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/body; proxy_temp_path $work/proxy; fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  upstream api {
    server 127.0.0.1:${api_ports[0]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${api_ports[1]} max_fails=1 fail_timeout=2s;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$proxy_port;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
    }
  }
}
NGINX
nginx -c "$work/nginx.conf"
proxy="http://127.0.0.1:$proxy_port"
wait_for_health "$proxy/health" || { echo "nginx did not start" >&2; cat "$work/nginx-error.log" >&2; exit 1; }

sandbox_port=$(free_port)
"$bin/arkyra-sandbox" --port "$sandbox_port" > .run/logs/rollout-sandbox.log 2>&1 & pids+=($!)
wait_for_health "http://127.0.0.1:$sandbox_port/_sandbox/health" || { echo "the sandbox did not start" >&2; exit 1; }
seed=$(scripts/seed-demo.sh "$proxy" "http://127.0.0.1:$sandbox_port")
organization=${seed##* }
token=$(curl -fsS -X POST "$proxy/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"demo@arkyra.local","password":"arkyra-demo"}' | json '["access_token"]')

echo "1. a migration and a rolling restart of two APIs behind nginx under load (wrk, 30 s)"
wrk -t2 -c16 -d30s -H "Authorization: Bearer $token" "$proxy/api/v1/organizations/$organization/integrations" > "$work/wrk.txt" &
wrk_pid=$!
sleep 3
PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$ARKYRA_DEV_PG_PORT" -U arkyra -d arkyra_rollout -qAt \
  -c "ALTER TABLE integrations ADD COLUMN rollout_check_note text" >/dev/null
echo "   applied an expand migration (ALTER TABLE integrations ADD COLUMN …) while both served"
for index in 0 1; do
  sleep 7
  kill -TERM "${api_pids[$index]}"
  wait "${api_pids[$index]}" || { echo "api $index exited with $? on SIGTERM" >&2; exit 1; }
  start_api "$index"
done
wait "$wrk_pid"
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt"); non2xx=${non2xx:-0}
socket=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$work/wrk.txt"); socket=${socket:-0}
echo "   $requests requests, $non2xx answered other than 2xx, $socket socket errors"

echo "2. a worker sent SIGTERM while holding publish jobs"
worker="$bin/arkyra-worker --env-file /nonexistent/.env"
python3 scripts/rollout/worker_drain.py --api "$proxy" --sandbox "http://127.0.0.1:$sandbox_port" --token "$token" \
  --organization "$organization" --posts 60 --logs .run/logs/rollout-worker \
  --first-worker "env ARKYRA_ADMIN_PORT=0 ARKYRA_WORKER_ID=rollout-worker-1 ARKYRA_WORKER_CONCURRENCY=8 $worker" \
  --second-worker "env ARKYRA_ADMIN_PORT=0 ARKYRA_WORKER_ID=rollout-worker-2 $worker" > "$work/drain.txt"
cat "$work/drain.txt"

failed=0
[ "$non2xx" = 0 ] && [ "$socket" = 0 ] || failed=1
grep -q "^   lost 0, duplicated 0" "$work/drain.txt" || failed=1
[ $failed = 0 ] && echo "rollout check passed" || echo "rollout check FAILED (logs in .run/logs/rollout-*)"
exit $failed
