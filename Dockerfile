# swift-r2d's own image: a drop-in for quay.io/jupyterhub/repo2docker as BinderHub's build_image.
# It works with the classic builder, BuildKit and Podman (no BuildKit-only syntax).
#
#   docker build -t swift-r2d .
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock swift-r2d \
#       jupyter-repo2docker --no-run --json-logs --user-name=jovyan --user-id=1000 https://github.com/org/repo
#
# Build arguments:
#   SWIFT_IMAGE    the Swift toolchain image of the build stage (Swift 6.3 on Debian bookworm)
#   RUNTIME_IMAGE  the base of the final image (Debian bookworm: libgit2 1.5 and libarchive 13 come from it)
#   PREBUILT       a directory of the build context laid out like the root file system (usr/local/bin/swift-r2d,
#                  and any libraries it needs), used instead of compiling: for machines that build the binary
#                  outside Docker, such as this project's CI, which cannot pull a Swift image.
ARG SWIFT_IMAGE=docker.io/library/swift:6.3-bookworm
ARG RUNTIME_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
ARG PREBUILT=""
WORKDIR /src
COPY . /src
RUN set -eu; \
    mkdir -p /out/usr/local/bin; \
    if [ -n "$PREBUILT" ]; then \
        cp -a "/src/$PREBUILT/." /out/; \
    else \
        apt-get update -q; \
        apt-get install -yq --no-install-recommends libgit2-dev libarchive-dev libyaml-dev pkg-config; \
        scripts/release-build.sh --product swift-r2d; \
        install -m 0755 "$(swift build -c release --show-bin-path)/swift-r2d" /out/usr/local/bin/swift-r2d; \
    fi; \
    test -x /out/usr/local/bin/swift-r2d

FROM ${RUNTIME_IMAGE}
# libgit2, libarchive and libyaml are the native libraries swift-r2d links besides libc; git credentials come from
# GIT_CREDENTIAL_ENV, read by swift-r2d itself, so no git program is needed.
RUN set -eu; \
    apt-get update -q; \
    DEBIAN_FRONTEND=noninteractive apt-get install -yq --no-install-recommends ca-certificates libgit2-1.5 libarchive13 libyaml-0-2; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*
COPY --from=build /out/ /
COPY docker/entrypoint /usr/local/bin/entrypoint
# BinderHub runs `jupyter-repo2docker …` through the image's entrypoint.
RUN ln -s swift-r2d /usr/local/bin/jupyter-repo2docker && ln -s swift-r2d /usr/local/bin/repo2docker \
    && chmod 0755 /usr/local/bin/entrypoint && /usr/local/bin/swift-r2d --version
ENTRYPOINT ["/usr/local/bin/entrypoint"]
CMD ["jupyter-repo2docker", "--help"]
