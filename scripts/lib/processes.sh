# Shell helpers for the scripts that start ARKYRA's binaries (make run, fuzzing, benchmarks). Source it.

# A TCP port on 127.0.0.1 that nothing holds right now, chosen by the kernel. A fixed port in the ephemeral
# range (32768–60999) can be held by another connection's local end, and then the server cannot bind it.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits up to 60 s for URL to answer with a 2xx while process PID (if given) runs. Fails when the process
# exits first or the URL never answers.
wait_for_health() {
  local url=$1 pid=${2:-}
  for _ in $(seq 600); do
    curl -fsS "$url" >/dev/null 2>&1 && return 0
    [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Prints a field of the JSON on standard input, named as a Python subscript: json '["organization"]["id"]'.
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# Builds the binaries (debug), logging to .run/logs/NAME-build.log, and sets $bin to where they are.
build_binaries() {
  local log=.run/logs/$1-build.log
  echo "building the binaries (debug) ..."
  mkdir -p .run/logs
  swift build >> "$log" 2>&1 || { tail -n 30 "$log"; return 1; }
  bin=$(swift build --show-bin-path)
}

# Starts a PostgreSQL and a Redis of this run's own (free ports, data in .run/NAME-postgres and
# .run/NAME-redis), so that restarting or flushing them disturbs nothing else; `scripts/dev-services.sh stop`
# stops them while the exported ports still name them.
start_private_servers() {
  export ARKYRA_DEV_PG_PORT=$(free_port) ARKYRA_DEV_REDIS_PORT=$(free_port)
  export ARKYRA_DEV_PG_DATA=$PWD/.run/$1-postgres ARKYRA_DEV_REDIS_DIR=$PWD/.run/$1-redis
  scripts/dev-services.sh start-postgres >/dev/null
  scripts/dev-services.sh start-redis >/dev/null
}

# Drops and creates database NAME on the PostgreSQL at 127.0.0.1:PORT and exports ARKYRA_DATABASE_URL for it.
fresh_database() {
  local port=$1 name=$2
  PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$port" -U arkyra -d arkyra -qAt \
    -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >/dev/null
  export ARKYRA_DATABASE_URL="postgres://arkyra:arkyra@127.0.0.1:$port/$name"
}

# Exports a random ARKYRA_JWT_SECRET and ARKYRA_ENCRYPTION_KEYS (key id ID), for a run whose data is thrown away,
# and a Temporal task queue of the run's own (never the queue a `make run` on this machine polls).
random_secrets() {
  export ARKYRA_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n') ARKYRA_ENCRYPTION_KEYS="$1:$(head -c 32 /dev/urandom | base64)"
  private_task_queue "$1"
}

# Exports ARKYRA_TEMPORAL_TASK_QUEUE for this run alone, so that its workers take no other installation's activities.
private_task_queue() {
  export ARKYRA_TEMPORAL_TASK_QUEUE="throwaway-$1-$$"
}
