#!/usr/bin/env bash
# Writes .env for local development when it does not exist yet: the dev PostgreSQL and Redis started by
# scripts/dev-services.sh, freshly generated secrets, and permission to call the sandbox on loopback.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
env_file="$root/.env"
[ -f "$env_file" ] && exit 0
random() { head -c "$1" /dev/urandom | base64 | tr -d '\n'; }
cat > "$env_file" <<ENV
# Development settings written by scripts/dev-env.sh; see docs/configuration.md for every key.
ARKYRA_DATABASE_URL=postgres://arkyra:arkyra@127.0.0.1:${ARKYRA_DEV_PG_PORT:-55432}/arkyra
ARKYRA_REDIS_URL=redis://127.0.0.1:${ARKYRA_DEV_REDIS_PORT:-56379}/0
ARKYRA_JWT_SECRET=$(random 48)
ARKYRA_ENCRYPTION_KEYS=dev1:$(random 32)
ARKYRA_OUTBOUND_ALLOW_PRIVATE_HOSTS=true
ARKYRA_STORAGE_PATH=.run/storage
ARKYRA_LOG_FORMAT=json
ARKYRA_LOG_LEVEL=info
ENV
echo "wrote $env_file"
