#!/usr/bin/env bash
# `make images`: builds the four service images with podman from Dockerfiles/, on a machine that reaches no
# image registry, then runs each once (--help, and /health against the development PostgreSQL and Redis).
#   1. Base images made here: Debian bookworm by debootstrap (localhost/debian-base:bookworm) and, on it, the
#      Swift toolchain of this machine with the local package mirror (localhost/swift:6.3-bookworm).
#   2. Dockerfiles/base.Dockerfile's stages on them (localhost/arkyra-build:dev, localhost/arkyra-runtime:dev).
#   3. One image per service (localhost/arkyra-<service>:dev).
# The first run takes a while (debootstrap downloads from Debian's mirror; the release build compiles
# everything). podman on these VMs needs the settings in .run/images/containers.conf (docs/operations.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/processes.sh
version=${ARKYRA_VERSION:-dev}
work=.run/images
mkdir -p "$work/debs" .run/logs
log=.run/logs/images.log
: > "$log"

missing=()
for tool in podman buildah debootstrap runc; do command -v $tool >/dev/null || missing+=($tool); done
if ((${#missing[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah runc debootstrap >/dev/null
fi
cat > "$work/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
export CONTAINERS_CONF=$root/$work/containers.conf

step() { echo "$(date +%T) $*"; echo "== $*" >> "$log"; }
run() { "$@" >> "$log" 2>&1 || { echo "failed: $*; the end of $log:" >&2; tail -n 25 "$log" >&2; exit 1; }; }

if ! podman image exists localhost/debian-base:bookworm; then
  step "debootstrap: Debian bookworm with CA certificates and time zones"
  rm -rf "$work/debian"
  run debootstrap --variant=minbase --include=ca-certificates,tzdata --cache-dir="$root/$work/debs" bookworm "$work/debian" http://deb.debian.org/debian
  # As Debian's slim images: no package lists or caches, documentation, manual pages or translations.
  rm -rf "$work/debian"/var/cache/apt/* "$work/debian"/var/lib/apt/lists/* "$work/debian"/usr/share/doc/* \
    "$work/debian"/usr/share/man/* "$work/debian"/usr/share/locale/*
  run sh -c "tar -C '$work/debian' -c . | podman import --change 'CMD [\"/bin/bash\"]' - localhost/debian-base:bookworm"
fi
if ! podman image exists localhost/swift:6.3-bookworm; then
  step "debootstrap: the Swift build image (this machine's /opt/swift and package mirror)"
  rm -rf "$work/swift"
  run debootstrap --variant=minbase --cache-dir="$root/$work/debs" \
    --include=ca-certificates,tzdata,binutils,gcc,libc6-dev,libgcc-12-dev,libstdc++-12-dev,zlib1g-dev,git,libcurl4,libxml2,libedit2,libsqlite3-0,libncurses6,libpython3.11,pkg-config,python3 \
    bookworm "$work/swift" http://deb.debian.org/debian
  run cp -a /opt/swift "$work/swift/opt/swift"
  run cp -a /opt/swift-packages "$work/swift/opt/swift-packages"
  printf '[url "/opt/swift-packages/"]\n\tinsteadOf = https://github.com/\n[safe]\n\tdirectory = *\n' > "$work/swift/etc/gitconfig"
  run sh -c "tar -C '$work/swift' -c . | podman import --change 'ENV PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - localhost/swift:6.3-bookworm"
fi

step "build stage: all services, release, static Swift standard library (slow the first time)"
run podman build --layers -f Dockerfiles/base.Dockerfile --target build --build-arg SWIFT_IMAGE=localhost/swift:6.3-bookworm -t "localhost/arkyra-build:$version" .
step "runtime stage"
run podman build --layers -f Dockerfiles/base.Dockerfile --target runtime --build-arg DEBIAN_IMAGE=localhost/debian-base:bookworm -t "localhost/arkyra-runtime:$version" .
for service in api worker cron orchestrator; do
  step "image arkyra-$service"
  run podman build --layers -f "Dockerfiles/$service.Dockerfile" --build-arg VERSION="$version" \
    --build-arg BUILD_IMAGE="localhost/arkyra-build:$version" --build-arg RUNTIME_IMAGE="localhost/arkyra-runtime:$version" \
    -t "localhost/arkyra-$service:$version" .
done

step "each image once: --help, then /health against the development PostgreSQL and Redis"
scripts/dev-services.sh start >/dev/null
secrets=(-e ARKYRA_JWT_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n')" -e ARKYRA_ENCRYPTION_KEYS="i:$(head -c 32 /dev/urandom | base64)")
failed=0
for service in api worker cron orchestrator; do
  image=localhost/arkyra-$service:$version
  podman run --rm "$image" --help > /dev/null 2>>"$log" || { echo "  $service: --help failed"; failed=1; continue; }
  port=$(free_port)
  name=arkyra-images-check-$service
  podman rm -f "$name" >/dev/null 2>&1 || true
  # The host's network, so that the container reaches the development servers on 127.0.0.1.
  podman run -d --name "$name" --network host --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
    -e ARKYRA_DATABASE_URL="postgres://arkyra:arkyra@127.0.0.1:${ARKYRA_DEV_PG_PORT:-55432}/arkyra" \
    -e ARKYRA_REDIS_URL="redis://127.0.0.1:${ARKYRA_DEV_REDIS_PORT:-56379}/0" -e ARKYRA_REDIS_KEY_PREFIX=images \
    -e ARKYRA_ADMIN_HOST=127.0.0.1 -e ARKYRA_ADMIN_PORT="$port" -e ARKYRA_API_HOST=127.0.0.1 -e ARKYRA_API_PORT="$(free_port)" \
    -e ARKYRA_STORAGE_PATH=/tmp/media "${secrets[@]}" "$image" >> "$log" 2>&1
  if wait_for_health "http://127.0.0.1:$port/health"; then
    size=$(podman image inspect "$image" --format '{{.Size}}')
    echo "  $service: --help ok, /health 200, image $((size / 1000000)) MB"
  else
    echo "  $service: /health did not answer; its log:"; podman logs "$name" 2>&1 | tail -5; failed=1
  fi
  podman stop -t 10 "$name" >/dev/null 2>&1 || true
  podman rm -f "$name" >/dev/null 2>&1 || true
done
exit $failed
