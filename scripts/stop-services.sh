#!/usr/bin/env bash
# Stops the sandbox and the four services that scripts/run.sh started, by their pid files (SIGTERM, then
# SIGKILL after 10 s).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
for pidfile in "$root"/.run/pids/*.pid; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  name=$(basename "$pidfile" .pid)
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stopped $name"
  fi
  rm -f "$pidfile"
done
