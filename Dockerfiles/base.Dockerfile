# The two stages every service image starts from, written once:
#   --target build    compiles all services in release mode with the static Swift standard library (/out)
#   --target runtime  the slim runtime: CA certificates, time zones and an unprivileged user, nothing else
# `make images` builds both (as localhost/arkyra-build and localhost/arkyra-runtime), then one image per
# service from Dockerfiles/<service>.Dockerfile. SWIFT_IMAGE and DEBIAN_IMAGE may name local images when no
# registry is reachable (see docs/operations.md).
# checkov:skip=CKV_DOCKER_7: the base images come from ARGs whose defaults carry version tags (6.3-bookworm, bookworm-slim)
# checkov:skip=CKV_DOCKER_2: these stages are never run; every service image built on them has a HEALTHCHECK
ARG SWIFT_IMAGE=docker.io/library/swift:6.3-bookworm
ARG DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
# Dependencies in a layer of their own: it is rebuilt only when Package.swift changes.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
# Not built; the manifest names the test targets' folders, which must exist.
COPY Tests ./Tests
# Only the four products: the test-support target (which imports Testing) is not built.
RUN for product in arkyra-api arkyra-worker arkyra-cron arkyra-orchestrator; do \
        swift build -c release --static-swift-stdlib --product "$product" || exit 1; \
    done
RUN mkdir /out \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && cp "$bin/arkyra-api" "$bin/arkyra-worker" "$bin/arkyra-cron" "$bin/arkyra-orchestrator" /out/ \
    && cp -R "$bin/arkyra_ArkyraCore.resources" "$bin/arkyra_ArkyraAPI.resources" /out/ \
    && strip /out/arkyra-*

FROM ${DEBIAN_IMAGE} AS runtime
# Platforms are reached over TLS (CA certificates); posts are scheduled in their authors' time zones (tzdata).
# Not pinned (DL3008): both must stay current, and Debian drops superseded versions from its mirrors.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --gid 0 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin arkyra \
    && install -d -o 10001 -g 0 -m 0770 /var/lib/arkyra/media
WORKDIR /app
USER 10001:0
