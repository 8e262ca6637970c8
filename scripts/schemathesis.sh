#!/usr/bin/env bash
# Fuzzes a live arkyra-api with schemathesis (PyPI) against the API's own OpenAPI description: every
# operation, generated valid and invalid inputs; fails on any 5xx or any response the description does not
# allow. Needs PostgreSQL and Redis running (scripts/dev-services.sh) and a debug build (swift build).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/processes.sh
export PATH="/opt/swift/usr/bin:$PATH"

venv=.run/schemathesis-venv
if ! "$venv/bin/schemathesis" --version >/dev/null 2>&1; then
  echo "installing schemathesis into $venv ..."
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q schemathesis==4.32.5
fi

bin=$(swift build --show-bin-path)
pg_port=${ARKYRA_DEV_PG_PORT:-55432}
database=arkyra_schemathesis
psql_admin="psql -h 127.0.0.1 -p $pg_port -U arkyra -d arkyra -qAt"
$psql_admin -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database" >/dev/null

mkdir -p .run/logs
log=.run/logs/schemathesis-api.log
export ARKYRA_DATABASE_URL="postgres://arkyra:arkyra@127.0.0.1:$pg_port/$database"
export ARKYRA_REDIS_URL="redis://127.0.0.1:${ARKYRA_DEV_REDIS_PORT:-56379}/0" ARKYRA_REDIS_KEY_PREFIX="schemathesis-$$"
export ARKYRA_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n') ARKYRA_ENCRYPTION_KEYS="s:$(head -c 32 /dev/urandom | base64)"
export ARKYRA_BCRYPT_COST=4 ARKYRA_LOG_LEVEL=error ARKYRA_STORAGE_PATH=.run/schemathesis-storage
# Generous limits: the fuzzer is one client sending thousands of requests.
export ARKYRA_RATE_LIMIT_USER_PER_MINUTE=1000000 ARKYRA_RATE_LIMIT_ORGANIZATION_PER_MINUTE=1000000
export ARKYRA_RATE_LIMIT_API_KEY_PER_MINUTE=1000000 ARKYRA_RATE_LIMIT_ADDRESS_PER_MINUTE=1000000
api_pid=
sandbox_pid=
stop() {
  local status=$?
  [ "$status" -ne 0 ] && [ -s "$log" ] && { echo "schemathesis failed (status $status); the API's log ends:" >&2; tail -20 "$log" >&2; }
  [ -n "$api_pid" ] && { kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; }
  [ -n "$sandbox_pid" ] && { kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; }
  $psql_admin -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null
}
trap stop EXIT

# The platforms the API talks to while connecting channels (Telegram's getMe, the consent pages): the sandbox.
sandbox_port=$(free_port)
"$bin/arkyra-sandbox" --port "$sandbox_port" > .run/logs/schemathesis-sandbox.log 2>&1 &
sandbox_pid=$!
wait_for_health "http://127.0.0.1:$sandbox_port/_sandbox/health" "$sandbox_pid" || { echo "the sandbox did not start" >&2; exit 1; }
sandbox="http://127.0.0.1:$sandbox_port"
export ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS=true
export ARKYRA_TEMPORAL_ADDRESS="127.0.0.1:${ARKYRA_DEV_TEMPORAL_PORT:-47233}" ARKYRA_TEMPORAL_TASK_QUEUE="schemathesis-$$"
export ARKYRA_X_CLIENT_ID=arkyra-sandbox-client ARKYRA_X_CLIENT_SECRET=arkyra-sandbox-secret
export ARKYRA_X_AUTHORIZE_URL="$sandbox/x/i/oauth2/authorize" ARKYRA_X_API_URL="$sandbox/x"
export ARKYRA_TELEGRAM_BOT_TOKEN=7000000001:ARKYRA-sandbox-bot-token ARKYRA_TELEGRAM_API_URL="$sandbox/telegram"
export ARKYRA_DISCORD_CLIENT_ID=arkyra-sandbox-client ARKYRA_DISCORD_CLIENT_SECRET=arkyra-sandbox-secret
export ARKYRA_DISCORD_BOT_TOKEN=MTMwMDAwMDAwMDAwMDAwMDAwMQ.sandbox.ARKYRA-discord-bot-token
export ARKYRA_DISCORD_AUTHORIZE_URL="$sandbox/discord/oauth2/authorize" ARKYRA_DISCORD_API_URL="$sandbox/discord/api/v10"

# Starts the API on a free port and waits for /health; a process that exits is started again on another port,
# up to three times.
start_api() {
  local attempt
  for attempt in 1 2 3; do
    port=${ARKYRA_SCHEMATHESIS_PORT:-$(free_port)}
    ARKYRA_API_PORT=$port ARKYRA_ADMIN_PORT=$(free_port) "$bin/arkyra-api" --env-file /nonexistent/.env > "$log" 2>&1 &
    api_pid=$!
    wait_for_health "http://127.0.0.1:$port/health" "$api_pid" && return 0
    echo "the API did not answer on port $port (attempt $attempt); its log:" >&2
    tail -20 "$log" >&2
    kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; api_pid=
  done
  return 1
}
start_api
base="http://127.0.0.1:$port"

token=$(curl -fsS -X POST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"fuzz@example.com","password":"fuzzing password"}' | json '["access_token"]')
organization=$(curl -fsS -X POST "$base/api/v1/organizations" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"Fuzz"}' | json '["organization"]["id"]')
key=$(curl -fsS -X POST "$base/api/v1/organizations/$organization/api-keys" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"name":"fuzz"}' | json '["key"]')

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
examples=${ARKYRA_SCHEMATHESIS_EXAMPLES:-25}
run() {
  "$venv/bin/schemathesis" run "$base/openapi.json" --checks "$checks" --max-examples "$examples" --seed 1 \
    --suppress-health-check all --workers 1 --request-timeout 10 --warnings off "$@"
}
status=0
echo "schemathesis: /api/v1 with an access token"
run --include-path-regex '^/api/v1/' --exclude-path-regex '(logout|password|sessions)' -H "Authorization: Bearer $token" || status=1
echo "schemathesis: /public/v1 with an API key"
# The analytics routes answer 501 until analytics exist, which the not-a-server-error check counts as a failure.
run --include-path-regex '^/public/v1/' --exclude-path-regex '/analytics/' -H "Authorization: $key" || status=1
echo "schemathesis: service routes"
run --exclude-path-regex '^/(api|public)/' || status=1
exit $status
