#!/usr/bin/env bash
# Creates (or finds) the demo user, its organization and a Mastodon channel on the sandbox. Safe to re-run.
#   scripts/seed-demo.sh API_URL SANDBOX_URL
set -euo pipefail
api=$1
sandbox=$2
email=demo@arkyra.local
password=arkyra-demo
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

curl -fsS -X POST "$sandbox/_sandbox/mastodon/accounts" -H 'Content-Type: application/json' \
  -d '{"username":"demo","token":"demo-token","display_name":"ARKYRA Demo"}' >/dev/null
curl -sS -X POST "$api/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Demo\"}" >/dev/null
token=$(curl -fsS -X POST "$api/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" | json 'd["access_token"]')
org=$(curl -fsS "$api/api/v1/organizations" -H "Authorization: Bearer $token" \
  | json 'next((o["organization"]["id"] for o in d["organizations"] if o["organization"]["name"] == "Demo"), "")')
if [ -z "$org" ]; then
  org=$(curl -fsS -X POST "$api/api/v1/organizations" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"Demo"}' | json 'd["organization"]["id"]')
fi
curl -sS -X POST "$api/api/v1/organizations/$org/integrations" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"provider\":\"mastodon\",\"instance_url\":\"$sandbox/mastodon\",\"access_token\":\"demo-token\"}" >/dev/null
echo "demo user $email, organization $org"
