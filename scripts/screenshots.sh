#!/usr/bin/env bash
# `make screenshots`: runs the browser test (Tests/Browser/web_flow.py in headless Chromium) and keeps a PNG
# of each main screen it passes, in English and Arabic, in docs/screenshots/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="/opt/swift/usr/bin:$PATH"
scripts/dev-services.sh start >/dev/null
scripts/s3-server.sh start >/dev/null
export $(scripts/s3-server.sh env)
[ -x .run/test-venv/bin/python ] && .run/test-venv/bin/python -c "import selenium" 2>/dev/null || { echo "run make test once first (it installs Chromium and selenium)"; exit 1; }
swift build --build-tests >/dev/null
export ARKYRA_TEST_PYTHON="$PWD/.run/test-venv/bin/python"
export ARKYRA_TEST_DATABASE_URL="${ARKYRA_TEST_DATABASE_URL:-postgres://arkyra:arkyra@127.0.0.1:${ARKYRA_DEV_PG_PORT:-55432}/arkyra}"
export ARKYRA_TEST_REDIS_URL="${ARKYRA_TEST_REDIS_URL:-redis://127.0.0.1:${ARKYRA_DEV_REDIS_PORT:-56379}/0}"
ARKYRA_SCREENSHOTS="$PWD/docs/screenshots" swift test --skip-build --filter BrowserTests
ls docs/screenshots
