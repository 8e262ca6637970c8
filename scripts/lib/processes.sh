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
