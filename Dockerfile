# syntax=docker/dockerfile:1

# warrantdesk as one static binary on a distroless base: no shell, no package
# manager, runs as an unprivileged user and works with a read-only root file
# system (everything it writes goes to /data, a volume).
#
#   docker build -t warrantdesk .
#   docker run --rm -p 8080:8080 warrantdesk serve --demo --base-url http://127.0.0.1:8080
#
# See deploy/README.md for the compose set-up with PostgreSQL and two replicas.

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

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/warrantdesk /warrantdesk
COPY --from=build --chown=65532:65532 /rootfs/ /

# Listen on all interfaces inside the container; publish the port to choose
# who can reach it. Set WARRANTDESK_BASE_URL to the URL people use.
ENV WARRANTDESK_ADDR=0.0.0.0:8080 \
    WARRANTDESK_DATA_DIR=/data

# Numeric, so that "run as non-root" checks (Kubernetes runAsNonRoot) can
# verify it without reading /etc/passwd.
USER 65532:65532
VOLUME ["/data"]
EXPOSE 8080

# No HEALTHCHECK: the image has no shell or HTTP client to run one. Probe
# GET /healthz (alive) and GET /readyz (database reachable, schema current)
# from outside: a load balancer, Kubernetes, or `curl` on the host.
ENTRYPOINT ["/warrantdesk"]
CMD ["serve"]
