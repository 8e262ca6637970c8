#!/usr/bin/env bash
# The calendar benchmark of `make bench`: a week of one organization's calendar, read through the real API
# (access token, rate limits, membership check, the index-backed query, JSON) with 1,000,000 posts across
# 1,000 organizations in the table, by wrk with 64 connections; the web app's calendar week page the same way
# (the session cookie, server-rendered HTML); then a Hummingbird hello-world route, the framework's ceiling on
# this machine. Last, the week page in headless Chromium: time until usable and bytes transferred
# (calendar_page.py, with PYTHON: a Python with selenium). Prints JSON lines.
# Usage: calendar.sh BIN_DIR REDIS_PORT PYTHON
set -euo pipefail
source "$(dirname "$0")/../lib/processes.sh"
bin=$1
redis_port=$2
python=$3
pg_port=${ARKYRA_DEV_PG_PORT:-55432}
api_port=$(free_port)
hello_port=$(free_port)
seconds=${ARKYRA_BENCH_WRK_SECONDS:-15}
database=arkyra_calendar
psql_admin="psql -h 127.0.0.1 -p $pg_port -U arkyra -d arkyra -qAt"
psql_bench="psql -h 127.0.0.1 -p $pg_port -U arkyra -d $database -qAt -v ON_ERROR_STOP=1"
command -v wrk >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }

$psql_admin -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database" >/dev/null
export ARKYRA_DATABASE_URL="postgres://arkyra:arkyra@127.0.0.1:$pg_port/$database"
export ARKYRA_REDIS_URL="redis://127.0.0.1:$redis_port/0" ARKYRA_REDIS_KEY_PREFIX=calendar
export ARKYRA_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n') ARKYRA_ENCRYPTION_KEYS="c:$(head -c 32 /dev/urandom | base64)"
export ARKYRA_LOG_LEVEL=error ARKYRA_API_PORT=$api_port ARKYRA_STORAGE_PATH=.run/bench-storage ARKYRA_BCRYPT_COST=4
export ARKYRA_RATE_LIMIT_USER_PER_MINUTE=1000000 ARKYRA_RATE_LIMIT_ORGANIZATION_PER_MINUTE=1000000
ARKYRA_ADMIN_PORT=$(free_port) "$bin/arkyra-api" --env-file /nonexistent/.env > .run/logs/bench-calendar-api.log 2>&1 &
api=$!
"$bin/arkyra-bench" hello --port $hello_port > .run/logs/bench-hello.log 2>&1 &
hello=$!
cleanup() { kill $api $hello 2>/dev/null || true; wait $api $hello 2>/dev/null || true; $psql_admin -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null; }
trap cleanup EXIT
wait_for_health "http://127.0.0.1:$api_port/health" $api || { echo "the API did not start:" >&2; tail -5 .run/logs/bench-calendar-api.log >&2; exit 1; }
wait_for_health "http://127.0.0.1:$hello_port/hello" $hello || { echo "the hello-world server did not start:" >&2; tail -5 .run/logs/bench-hello.log >&2; exit 1; }

token=$(curl -fsS -X POST "http://127.0.0.1:$api_port/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"calendar@example.com","password":"calendar password"}' | json '["access_token"]')
user=$($psql_bench -c "SELECT id FROM users WHERE email = 'calendar@example.com'")

# 1,000 organizations the user belongs to, a channel each, 1,000 posts each spread over the coming year.
$psql_bench <<SQL >/dev/null
INSERT INTO organizations (name) SELECT 'Org ' || n FROM generate_series(1, 1000) AS n;
INSERT INTO memberships (organization_id, user_id, role) SELECT id, '$user', 'owner' FROM organizations;
INSERT INTO integrations (organization_id, provider, external_id, name, username, instance_url, access_token_encrypted)
  SELECT id, 'mastodon', 'acct-' || id, 'Channel', 'channel', 'https://mastodon.example', 'unused' FROM organizations;
INSERT INTO posts (organization_id, group_id, integration_id, content, state, publish_at, time_zone)
  SELECT i.organization_id, gen_random_uuid(), i.id, 'Post number ' || n || ' of a busy calendar, long enough to look like a real post.',
         'scheduled', date_trunc('day', now()) + (n * interval '525 minutes') + (random() * interval '8 hours'), 'UTC'
  FROM integrations i CROSS JOIN generate_series(1, 1000) AS n;
ANALYZE organizations; ANALYZE memberships; ANALYZE integrations; ANALYZE posts;
SQL
count=$($psql_bench -c "SELECT count(*) FROM posts")
$psql_bench -tA -c "SELECT id FROM organizations" > .run/bench-organizations.txt

cat > .run/bench-calendar.lua <<LUA
local organizations = {}
for line in io.lines(".run/bench-organizations.txt") do organizations[#organizations + 1] = line end
local start = os.time()
wrk.headers["Authorization"] = "Bearer $token"
local function iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end
request = function()
  local organization = organizations[math.random(#organizations)]
  local from = start + math.random(0, 51) * 7 * 86400
  return wrk.format("GET", "/api/v1/organizations/" .. organization .. "/posts?from=" .. iso(from) .. "&to=" .. iso(from + 7 * 86400))
end
LUA
# Sanity: a week holds posts.
week=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$api_port/api/v1/organizations/$(head -1 .run/bench-organizations.txt)/posts?from=$(date -u +%Y-%m-%dT00:00:00Z)&to=$(date -u -d '+7 days' +%Y-%m-%dT00:00:00Z)" | json '["posts"].__len__()')

# The web app's week page: the same organizations and weeks, with the session cookie a browser sends.
cat > .run/bench-calendar-page.lua <<LUA
local organizations = {}
for line in io.lines(".run/bench-organizations.txt") do organizations[#organizations + 1] = line end
local start = os.time()
wrk.headers["Cookie"] = "arkyra_access=$token; arkyra_tz=UTC"
request = function()
  local organization = organizations[math.random(#organizations)]
  local from = start + math.random(0, 51) * 7 * 86400
  return wrk.format("GET", "/app/" .. organization .. "/calendar?view=week&date=" .. os.date("!%Y-%m-%d", from))
end
LUA
page_days=$(curl -fsS -H "Cookie: arkyra_access=$token" "http://127.0.0.1:$api_port/app/$(head -1 .run/bench-organizations.txt)/calendar?view=week" | grep -o '<li class="day' | wc -l)
[ "$page_days" = 7 ] || { echo "the calendar week page did not show 7 days ($page_days)" >&2; exit 1; }

measure() { wrk -t2 -c64 -d"${seconds}s" --latency "$@" 2>&1; }
report() {
  python3 - "$1" "$2" "${3:-}" <<'PY'
import json, re, sys
text, prefix, peer = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
def ms(value, unit): return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
line = lambda name, value, unit: print(json.dumps({"name": name, "value": round(value, 2), "unit": unit, **({"peer": peer} if peer else {})}))
for pct in ("50", "99"):
    m = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", text)
    line(f"{prefix}_p{pct}", ms(*m.groups()), "ms")
line(f"{prefix}_throughput", rps, "req/s")
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
line(f"{prefix}_errors", float(errors.group(1)) if errors else 0, "responses")
PY
}
measure -s .run/bench-calendar.lua "http://127.0.0.1:$api_port" > .run/bench-calendar-wrk.txt
measure -s .run/bench-calendar-page.lua "http://127.0.0.1:$api_port" > .run/bench-calendar-page-wrk.txt
measure "http://127.0.0.1:$hello_port/hello" > .run/bench-hello-wrk.txt
echo "{\"name\": \"calendar_posts_in_table\", \"value\": $count, \"unit\": \"posts\"}"
echo "{\"name\": \"calendar_posts_in_a_week\", \"value\": $week, \"unit\": \"posts\"}"
report .run/bench-calendar-wrk.txt calendar_week
report .run/bench-hello-wrk.txt calendar_week "Hummingbird hello world (ceiling)"
report .run/bench-calendar-page-wrk.txt calendar_page_week
report .run/bench-hello-wrk.txt calendar_page_week "Hummingbird hello world (ceiling)"
"$python" scripts/bench/calendar_page.py --api "http://127.0.0.1:$api_port" --token "$token" \
  --organizations .run/bench-organizations.txt --hello "http://127.0.0.1:$hello_port/hello"
