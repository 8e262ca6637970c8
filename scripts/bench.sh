#!/usr/bin/env bash
# `make bench`: ARKYRA's queue next to BullMQ's Python port and RQ, measured in the same run against the
# same fresh Redis. Prints a table and writes the figures as JSON lines to .bench/results.jsonl (one file
# per run; earlier runs are kept as .bench/results-TIMESTAMP.jsonl).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="/opt/swift/usr/bin:$PATH"

scripts/dev-services.sh start >/dev/null   # installs redis-server when missing
venv=.run/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import bullmq, rq" 2>/dev/null; then
  echo "installing the peers (bullmq, rq) into $venv ..."
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q bullmq==3.4.4 rq==3.0.0
fi

echo "building arkyra-bench (release; the first time takes several minutes) ..."
mkdir -p .run/logs
swift build -c release --product arkyra-bench > .run/logs/bench-build.log 2>&1 || { tail -n 30 .run/logs/bench-build.log; exit 1; }
bench_bin=$(swift build -c release --show-bin-path)/arkyra-bench

port=${ARKYRA_BENCH_REDIS_PORT:-56400}
dir=.run/bench-redis
mkdir -p "$dir" .bench
redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no --daemonize yes --pidfile "$PWD/$dir/redis.pid" --logfile "$PWD/$dir/redis.log"
trap 'kill "$(cat "$dir/redis.pid")" 2>/dev/null || true' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

out=.bench/results.jsonl
[ -f "$out" ] && mv "$out" ".bench/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
: > "$out"
echo "measuring ARKYRA ..."
"$bench_bin" --redis-port "$port" >> "$out"
echo "measuring BullMQ (Python) ..."
"$venv/bin/python" scripts/bench/peers.py bullmq --redis-port "$port" >> "$out"
echo "measuring RQ ..."
"$venv/bin/python" scripts/bench/peers.py rq --redis-port "$port" --enqueue-jobs 20000 --process-jobs 5000 >> "$out"

python3 scripts/bench/table.py "$out"
