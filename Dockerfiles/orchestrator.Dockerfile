# arkyra-orchestrator: the host of long-running workflows
# Built by `make images` after Dockerfiles/base.Dockerfile (whose stages it names).
# checkov:skip=CKV_DOCKER_7: the stages come from ARGs whose defaults carry the release tag (dev unless VERSION is given)
ARG BUILD_IMAGE=localhost/arkyra-build:dev
ARG RUNTIME_IMAGE=localhost/arkyra-runtime:dev

FROM ${BUILD_IMAGE} AS build

FROM ${RUNTIME_IMAGE}
ARG VERSION=dev
LABEL org.opencontainers.image.title="arkyra-orchestrator" \
      org.opencontainers.image.description="ARKYRA orchestrator: the host of long-running workflows" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.vendor="ARKYRA"
COPY --from=build /out/arkyra-orchestrator /app/
COPY --from=build /out/arkyra_ArkyraCore.resources /app/arkyra_ArkyraCore.resources
ENV ARKYRA_ADMIN_HOST=0.0.0.0 ARKYRA_ADMIN_PORT=9103 ARKYRA_STORAGE_PATH=/var/lib/arkyra/media
EXPOSE 9103
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["/app/arkyra-orchestrator", "healthcheck"]
USER 10001:0
ENTRYPOINT ["/app/arkyra-orchestrator"]
