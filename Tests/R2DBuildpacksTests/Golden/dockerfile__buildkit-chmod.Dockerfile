# The test base image is made by scripts/make-base-image.sh (Docker Hub is not reachable in CI).
# Syntax that only BuildKit builds, read by Docker 20.10's built-in frontend: COPY --chmod and a cache mount.
FROM swift-r2d/test-base:bookworm
ARG NB_USER=jovyan
ARG NB_UID=1000
RUN useradd --create-home --uid ${NB_UID} ${NB_USER}
# sayhi.sh is not executable in the repository; --chmod makes it so in the image.
COPY --chmod=0755 sayhi.sh /usr/local/bin/sayhi.sh
# The cache mount is writable during the step and is not part of the image.
RUN --mount=type=cache,target=/var/cache/r2d-fixture,id=swift-r2d-buildkit-chmod \
    echo cached > /var/cache/r2d-fixture/marker && test -s /var/cache/r2d-fixture/marker \
    && echo "ran with a cache mount" > /usr/local/share/r2d-cache-mount
COPY --chown=${NB_UID}:${NB_UID} . /home/${NB_USER}/
WORKDIR /home/${NB_USER}
USER ${NB_UID}
