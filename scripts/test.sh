#!/usr/bin/env bash
# `make test`: starts the PostgreSQL and Redis the tests need (installing them when missing), builds,
# runs every test, and stops the servers it started (a running `make run` keeps its own).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="/opt/swift/usr/bin:$PATH"

was_running=$(scripts/dev-services.sh status)
scripts/dev-services.sh start
cleanup() {
  echo "$was_running" | grep -q "postgres: running" || scripts/dev-services.sh stop-postgres
  echo "$was_running" | grep -q "redis: running" || scripts/dev-services.sh stop-redis
}
trap cleanup EXIT

# A real SMTP server for the email tests (aiosmtpd, from PyPI).
venv=.run/test-venv
if ! "$venv/bin/python" -c "import aiosmtpd" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q aiosmtpd==1.4.6
fi
export ARKYRA_TEST_PYTHON="$PWD/$venv/bin/python"

swift build --build-tests
swift test --skip-build
# The live API fuzzed against its OpenAPI description: no 5xx, no response the description does not allow.
scripts/schemathesis.sh
