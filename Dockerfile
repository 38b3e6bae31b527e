# supportsync in a container: the portable release binary on Debian 12 slim,
# with git (supportsync works on a git repository mounted at /repo).
#
#   docker build --build-arg VERSION="$(cat VERSION)" -t supportsync .
#   docker run --rm -v "$PWD:/repo" supportsync validate
#
# The release workflow pushes it as ghcr.io/supportsync/supportsync:VERSION and
# :latest, for linux/amd64 and linux/arm64.

FROM swift:6.3.1-bookworm AS build
# The version the image is labelled with; it must be the one in VERSION.
ARG VERSION=""
# Set it for a reproducible archive (the build context has no .git).
ARG SOURCE_DATE_EPOCH
WORKDIR /src
COPY . .
# script/release installs what it needs with apt, builds the static binary and
# packs it; the binary is unpacked from that same archive.
RUN script/release --out /dist \
 && version="$(tr -d '[:space:]' < VERSION)" \
 && if [ -n "$VERSION" ] && [ "$VERSION" != "$version" ]; then \
      echo "the VERSION build argument ($VERSION) is not the VERSION file ($version)" >&2; exit 1; \
    fi \
 && case "$(uname -m)" in aarch64|arm64) arch=arm64 ;; *) arch=x86_64 ;; esac \
 && mkdir /out \
 && tar -xzf "/dist/supportsync-$version-linux-$arch.tar.gz" -C /out --strip-components=1 \
 && /out/supportsync --version

FROM debian:bookworm-slim
ARG VERSION=""
LABEL org.opencontainers.image.title="supportsync" \
      org.opencontainers.image.description="GitOps for AI support agents: agent settings and flagged tickets in git" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/supportsync/supportsync" \
      org.opencontainers.image.url="https://github.com/supportsync/supportsync" \
      org.opencontainers.image.documentation="https://github.com/supportsync/supportsync#readme" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/supportsync /usr/local/bin/supportsync
COPY --from=build /out/supportsync.1 /usr/local/share/man/man1/supportsync.1
# A mounted repository belongs to the host's user, not to this one: trust it,
# for git and for libgit2 (both read the system configuration).
RUN useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin supportsync \
 && git config --system --add safe.directory /repo \
 && supportsync --version
USER supportsync
WORKDIR /repo
ENTRYPOINT ["supportsync"]
CMD ["--help"]
