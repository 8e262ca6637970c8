#!/usr/bin/env bash
# Installs (when missing), starts and stops the private PostgreSQL and Redis that development and tests use
# (and installs ffmpeg, which the worker needs).
# Data, sockets, logs and pid files live under .run/ in the checkout; both servers listen on 127.0.0.1 only.
#
#   scripts/dev-services.sh start    install if needed, start both, create the database role and database
#   scripts/dev-services.sh stop     stop both by their pid files
#   scripts/dev-services.sh status   print whether each is running
#   scripts/dev-services.sh start-postgres | start-redis | stop-postgres | stop-redis   one of them
#   scripts/dev-services.sh restart-postgres   stop PostgreSQL (fast), wait ARKYRA_DEV_PG_DOWN_SECONDS (0), start it
#   scripts/dev-services.sh install    install what is missing, start nothing
#
# Ports come from ARKYRA_DEV_PG_PORT (55432) and ARKYRA_DEV_REDIS_PORT (56379), data directories from
# ARKYRA_DEV_PG_DATA (.run/postgres) and ARKYRA_DEV_REDIS_DIR (.run/redis): `make abuse` and `make bench` start
# servers of their own this way.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
run_dir="$root/.run"
pg_port=${ARKYRA_DEV_PG_PORT:-55432}
redis_port=${ARKYRA_DEV_REDIS_PORT:-56379}
pg_data=${ARKYRA_DEV_PG_DATA:-$run_dir/postgres}
redis_dir=${ARKYRA_DEV_REDIS_DIR:-$run_dir/redis}
pg_user=postgres

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
  done
  return 1
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi
}

install_missing() {
  local want=()
  pg_bin >/dev/null || want+=(postgresql)
  command -v redis-server >/dev/null || want+=(redis-server)
  command -v redis-cli >/dev/null || want+=(redis-tools)
  # The worker processes media with ffmpeg and ffprobe.
  command -v ffprobe >/dev/null || want+=(ffmpeg)
  if [ ${#want[@]} -gt 0 ]; then
    echo "installing ${want[*]} ..."
    if [ "$(id -u)" != 0 ]; then echo "need root to install ${want[*]}" >&2; exit 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null
  fi
  if [ "$(id -u)" = 0 ] && ! id "$pg_user" >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "$pg_user"
  fi
}

start_postgres() {
  local bin; bin=$(pg_bin)
  mkdir -p "$run_dir"
  if [ ! -f "$pg_data/PG_VERSION" ]; then
    mkdir -p "$pg_data"
    [ "$(id -u)" = 0 ] && chown "$pg_user" "$pg_data"
    chmod 700 "$pg_data"
    as_pg "$bin/initdb" -D "$pg_data" -A trust -U postgres -E UTF8 --no-locale >/dev/null
  fi
  if as_pg "$bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1; then
    echo "postgres already running on 127.0.0.1:$pg_port"
  else
    as_pg "$bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_data -c max_connections=500 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    echo "postgres started on 127.0.0.1:$pg_port (data in $pg_data)"
  fi
  local psql=("$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'arkyra'")" != 1 ]; then
    "${psql[@]}" -c "CREATE ROLE arkyra LOGIN CREATEDB PASSWORD 'arkyra'"
  fi
  # Dropping a test database WITH (FORCE) ends its sessions, autovacuum's included, which needs this role.
  "${psql[@]}" -c "GRANT pg_signal_backend TO arkyra" >/dev/null 2>&1
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'arkyra'")" != 1 ]; then
    "${psql[@]}" -c "CREATE DATABASE arkyra OWNER arkyra"
  fi
}

start_redis() {
  mkdir -p "$redis_dir"
  if redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1; then
    echo "redis already running on 127.0.0.1:$redis_port"
    return
  fi
  redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$redis_dir" --daemonize yes \
    --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log" \
    --save "" --appendonly no --maxmemory-policy noeviction
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "redis started on 127.0.0.1:$redis_port"
}

stop_postgres() {
  local bin; bin=$(pg_bin) || return 0
  [ -f "$pg_data/postmaster.pid" ] || return 0
  as_pg "$bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null && echo "postgres stopped"
}

stop_redis() {
  local pidfile="$redis_dir/redis.pid"
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "redis stopped"
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start) install_missing; start_postgres; start_redis ;;
  stop) stop_redis; stop_postgres ;;
  install) install_missing ;;
  start-postgres) install_missing; start_postgres ;;
  start-redis) install_missing; start_redis ;;
  restart-postgres) stop_postgres; sleep "${ARKYRA_DEV_PG_DOWN_SECONDS:-0}"; start_postgres >/dev/null; echo "postgres restarted" ;;
  stop-postgres) stop_postgres ;;
  stop-redis) stop_redis ;;
  status)
    if [ -f "$pg_data/postmaster.pid" ]; then echo "postgres: running (127.0.0.1:$pg_port)"; else echo "postgres: stopped"; fi
    if redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1; then echo "redis: running (127.0.0.1:$redis_port)"; else echo "redis: stopped"; fi ;;
  *) echo "usage: $0 start|stop|install|start-postgres|start-redis|restart-postgres|stop-postgres|stop-redis|status" >&2; exit 2 ;;
esac
