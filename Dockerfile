# syntax=docker/dockerfile:1

# warrantdesk as one static binary on a distroless base: no shell, no package
# manager, runs as an unprivileged user and works with a read-only root file
# system (everything it writes goes to /data, a volume).
#
#   docker build -t warrantdesk --build-arg VERSION=$(git describe --tags --always --dirty) .
#   docker run --rm -p 8080:8080 warrantdesk serve --demo --base-url http://127.0.0.1:8080
#
# See deploy/README.md for the compose set-up with PostgreSQL and two replicas.

# Base images are pinned by version. TODO(digest): append each one's
# @sha256: digest (`docker buildx imagetools inspect IMAGE:TAG` prints it) —
# not done yet because the registries could not be reached where this was
# written, and a digest must be looked up, never guessed. The compose test
# (deploy/compose_test.go) lists the images still without one.
ARG GO_VERSION=1.26.8

# The builder runs on the build machine's own platform and cross-compiles,
# which a pure-Go (cgo-free) build does without an emulator.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src

# Modules first, in their own layer: it is rebuilt only when go.mod or go.sum
# change, not on every source edit.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .
ARG TARGETOS
ARG TARGETARCH
# What `warrantdesk version` and the start-up log report: compose passes
# WARRANTDESK_VERSION (docker build --build-arg VERSION=…); the build context
# has no .git to read a revision from.
ARG VERSION=dev
# CGO_ENABLED=0: the SQLite driver is pure Go, so the binary is static and
# runs on a base image without libc. nomsgpack drops gin's msgpack codec.
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -tags nomsgpack -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
        -o /out/warrantdesk ./server/cmd/warrantdesk

# The data directory, created here because the final image has no shell.
# Docker copies an image directory's owner into a fresh named volume, so
# volumes mounted at /data and /data/blobs start out writable by 65532.
RUN mkdir -p /rootfs/data/blobs

# Distroless images have no version tags: "debian12" and "nonroot" name the
# release and the user, and only a digest (TODO above) pins the build.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="warrantdesk" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/warrantdesk /warrantdesk
COPY --from=build --chown=65532:65532 /rootfs/ /

# Listen on all interfaces inside the container; publish the port to choose
# who can reach it. Set WARRANTDESK_BASE_URL to the URL people use.
ENV WARRANTDESK_ADDR=0.0.0.0:8080 \
    WARRANTDESK_DATA_DIR=/data

# Numeric, so that "run as non-root" checks (Kubernetes runAsNonRoot) can
# verify it without reading /etc/passwd.
USER 65532:65532
# No VOLUME: an image volume gives every container that does not mount one
# at /data, such as `migrate` or `verify-log` on PostgreSQL, an anonymous
# volume that outlives it. Mount a named volume (or a directory owned by
# 65532) at /data where the data must last: `serve` on SQLite, blobs.
EXPOSE 8080

# The image has no shell or curl, so the binary probes itself: GET /readyz
# (database reachable, schema current) on WARRANTDESK_ADDR, exit 0 on 200.
# So move the port with WARRANTDESK_ADDR, not `serve --addr`, which the
# probe does not see.
# Its own timeout (4s) is below Docker's, so a slow answer reads as "did not
# answer within 4s" in `docker inspect`, not as a killed probe. Containers
# of one-shot commands (migrate) should turn it off (compose does).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/warrantdesk", "healthcheck"]
ENTRYPOINT ["/warrantdesk"]
CMD ["serve"]
