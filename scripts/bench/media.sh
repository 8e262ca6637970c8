#!/usr/bin/env bash
# The media benchmark of `make bench`: uploads through the real API (multipart, streamed into staging, then
# stored) to the local disk and to a signature-checking S3 server (SeaweedFS), beside curl putting the same
# bytes straight into that server; the API's resident memory while a 1000 MiB file streams through; and the
# worker's transcode of a 30 s clip beside ffmpeg run directly with the same arguments. Prints JSON lines.
# Usage: media.sh BIN_DIR REDIS_PORT
set -euo pipefail
source "$(dirname "$0")/../lib/processes.sh"
bin=$1
redis_port=$2
pg_port=${ARKYRA_DEV_PG_PORT:-55432}
work=.run/bench-media
rm -rf "$work" && mkdir -p "$work"
line() { python3 -c 'import json,sys; n,v,u=sys.argv[1:4]; p=sys.argv[4] if len(sys.argv)>4 else None; print(json.dumps({"name": n, "value": round(float(v), 2), "unit": u, **({"peer": p} if p else {})}))' "$@"; }
seconds() { python3 -c 'import time; print(time.monotonic())'; }

# The S3 server, on ports of its own.
export ARKYRA_DEV_S3_PORT=${ARKYRA_BENCH_S3_PORT:-47333} ARKYRA_DEV_S3_DIR="$PWD/.run/seaweedfs-bench"
scripts/s3-server.sh start >&2
eval "export $(scripts/s3-server.sh env)"
s3=$ARKYRA_TEST_S3_ENDPOINT
sign=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$ARKYRA_TEST_S3_ACCESS_KEY_ID:$ARKYRA_TEST_S3_SECRET_ACCESS_KEY")

# Files that sniff as MP4: an ftyp box, then random bytes (each file differs, so none is deduplicated).
make_video() { { printf '\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2'; head -c "$(($2 * 1024 * 1024))" /dev/urandom; } > "$1"; }
large=${ARKYRA_BENCH_MEDIA_LARGE_MB:-1000} medium=${ARKYRA_BENCH_MEDIA_S3_MB:-512}
make_video "$work/large.mp4" "$large"
make_video "$work/s3.mp4" "$medium"
make_video "$work/curl.mp4" "$medium"
command -v /usr/bin/time >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; }

database=arkyra_media_bench
psql_admin="psql -h 127.0.0.1 -p $pg_port -U arkyra -d arkyra -qAt"
api_pid=
sampler=
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  [ -n "$api_pid" ] && { kill "$api_pid" 2>/dev/null; wait "$api_pid" 2>/dev/null || true; }
  $psql_admin -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null
  scripts/s3-server.sh stop >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Starts an API on a fresh database with the storage driver $1; sets api, token, organization.
start_api() {
  [ -n "$api_pid" ] && { kill "$api_pid"; wait "$api_pid" 2>/dev/null || true; }
  $psql_admin -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database" >/dev/null
  local port; port=$(free_port)
  ARKYRA_DATABASE_URL="postgres://arkyra:arkyra@127.0.0.1:$pg_port/$database" ARKYRA_REDIS_URL="redis://127.0.0.1:$redis_port/0" \
  ARKYRA_REDIS_KEY_PREFIX=media-bench ARKYRA_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n') \
  ARKYRA_ENCRYPTION_KEYS="m:$(head -c 32 /dev/urandom | base64)" ARKYRA_LOG_LEVEL=error ARKYRA_BCRYPT_COST=4 \
  ARKYRA_API_PORT=$port ARKYRA_ADMIN_PORT=$(free_port) ARKYRA_STORAGE_PATH="$work/storage-$1" ARKYRA_STORAGE_DRIVER=$1 \
  ARKYRA_S3_ENDPOINT=$s3 ARKYRA_S3_BUCKET=arkyra-bench ARKYRA_S3_PATH_STYLE=true ARKYRA_S3_PART_SIZE_MB=16 \
  ARKYRA_S3_ACCESS_KEY_ID=$ARKYRA_TEST_S3_ACCESS_KEY_ID ARKYRA_S3_SECRET_ACCESS_KEY=$ARKYRA_TEST_S3_SECRET_ACCESS_KEY \
    "$bin/arkyra-api" --env-file /nonexistent/.env > ".run/logs/bench-media-api-$1.log" 2>&1 &
  api_pid=$!
  api=http://127.0.0.1:$port
  wait_for_health "$api/health" "$api_pid" || { echo "the API did not start:" >&2; tail -5 ".run/logs/bench-media-api-$1.log" >&2; exit 1; }
  token=$(curl -fsS "$api/api/v1/auth/register" -H 'content-type: application/json' \
    -d "{\"email\":\"bench-$RANDOM@example.com\",\"password\":\"correct horse\",\"name\":\"Bench\"}" | json '["access_token"]')
  organization=$(curl -fsS "$api/api/v1/organizations" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"name":"Media bench"}' | json '["organization"]["id"]')
}

# Uploads $1 through the API; prints MB/s.
upload() {
  local size start end status
  size=$(stat -c %s "$1")
  start=$(seconds)
  status=$(curl -s -o "$work/answer.json" -w '%{http_code}' -H "authorization: Bearer $token" -F "file=@$1;type=video/mp4" \
    "$api/api/v1/organizations/$organization/media")
  end=$(seconds)
  [ "$status" = 201 ] || { echo "the upload of $1 answered $status: $(head -c 300 "$work/answer.json")" >&2; exit 1; }
  python3 -c "print($size / 1048576 / ($end - $start))"
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

echo "  uploads to the local disk ($large MiB, memory sampled) ..." >&2
start_api local
baseline=$(rss_kb "$api_pid")
echo "$baseline" > "$work/peak"
( peak=0; while kill -0 "$api_pid" 2>/dev/null; do now=$(rss_kb "$api_pid" || echo 0); [ "$now" -gt "$peak" ] && peak=$now && echo "$peak" > "$work/peak"; sleep 0.05; done ) &
sampler=$!
local_rate=$(upload "$work/large.mp4")
kill "$sampler"; wait "$sampler" 2>/dev/null || true; sampler=
peak=$(cat "$work/peak")
line "upload $large MiB through the API to the local disk" "$local_rate" "MB/s"
line "API resident memory before a $large MiB upload" "$((baseline / 1024))" "MB"
line "API resident memory growth during it" "$(( (peak - baseline) / 1024 ))" "MB"

echo "  uploads to S3 (SeaweedFS, $medium MiB), and curl straight to it ..." >&2
start_api s3
s3_rate=$(upload "$work/s3.mp4")
curl -sS "${sign[@]}" -X PUT "$s3/arkyra-bench-curl" -o /dev/null 2>/dev/null || true
size=$(stat -c %s "$work/curl.mp4")
start=$(seconds)
curl -fsS "${sign[@]}" -T "$work/curl.mp4" "$s3/arkyra-bench-curl/curl.mp4" -o /dev/null
end=$(seconds)
curl_rate=$(python3 -c "print($size / 1048576 / ($end - $start))")
line "upload $medium MiB to S3 (SeaweedFS)" "$s3_rate" "MB/s"
line "upload $medium MiB to S3 (SeaweedFS)" "$curl_rate" "MB/s" "curl"
line "upload to S3 through the API, share of curl's rate (goal 0.8)" "$(python3 -c "print($s3_rate / $curl_rate)")" "ratio"

echo "  transcoding a 30 s 1280x720 VP8/Opus clip ..." >&2
ffmpeg -v error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440 -t 30 -c:v libvpx -b:v 2M -deadline realtime -cpu-used 8 -c:a libopus "$work/clip.webm"
mapfile -t arguments < <("$bin/arkyra-bench" transcode --input "$work/clip.webm" --output "$work/direct.mp4" --print-arguments)
/usr/bin/time -f "%e %U %S" -o "$work/direct.time" ffmpeg "${arguments[@]}" > /dev/null
/usr/bin/time -f "%e %U %S" -o "$work/arkyra.time" "$bin/arkyra-bench" transcode --input "$work/clip.webm" --output "$work/arkyra.mp4" > /dev/null
read -r direct_wall direct_user direct_system < "$work/direct.time"
read -r arkyra_wall arkyra_user arkyra_system < "$work/arkyra.time"
line "transcode a 30 s clip to H.264/AAC MP4, CPU" "$(python3 -c "print($arkyra_user + $arkyra_system)")" "s"
line "transcode a 30 s clip to H.264/AAC MP4, CPU" "$(python3 -c "print($direct_user + $direct_system)")" "s" "ffmpeg"
line "transcode a 30 s clip to H.264/AAC MP4, wall" "$arkyra_wall" "s"
line "transcode a 30 s clip to H.264/AAC MP4, wall" "$direct_wall" "s" "ffmpeg"
