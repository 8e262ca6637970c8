# arkyra-worker: runs the queues: publishes posts, sends emails, processes media
# Built by `make images` after Dockerfiles/base.Dockerfile (whose stages it names).
# checkov:skip=CKV_DOCKER_7: the stages come from ARGs whose defaults carry the release tag (dev unless VERSION is given)
ARG BUILD_IMAGE=localhost/arkyra-build:dev
ARG RUNTIME_IMAGE=localhost/arkyra-runtime:dev

FROM ${BUILD_IMAGE} AS build

FROM ${RUNTIME_IMAGE}
ARG VERSION=dev
LABEL org.opencontainers.image.title="arkyra-worker" \
      org.opencontainers.image.description="ARKYRA worker: runs the queues: publishes posts, sends emails, processes media" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.vendor="ARKYRA"
# Media is probed, thumbnailed and transcoded with ffmpeg and ffprobe.
# Not pinned (DL3008): security fixes land in Debian's current version only.
USER 0
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/arkyra-worker /app/
COPY --from=build /out/arkyra_ArkyraCore.resources /app/arkyra_ArkyraCore.resources
ENV ARKYRA_ADMIN_HOST=0.0.0.0 ARKYRA_ADMIN_PORT=9101 ARKYRA_STORAGE_PATH=/var/lib/arkyra/media
EXPOSE 9101
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["/app/arkyra-worker", "healthcheck"]
USER 10001:0
ENTRYPOINT ["/app/arkyra-worker"]
