# Dockerfile syntax that only BuildKit reads (Docker 26's built-in frontend; no "# syntax=" line, which would pull a
# frontend image from Docker Hub). The test base image is made by scripts/make-base-image.sh.
FROM swift-r2d/test-base:bookworm
ARG NB_USER=jovyan
ARG NB_UID=1000
RUN useradd --create-home --uid ${NB_UID} ${NB_USER}
# sayhi.sh is 0644 in the repository: only --chmod makes it executable.
COPY --chmod=0755 sayhi.sh /usr/local/bin/sayhi
COPY --link linked.txt /opt/linked/linked.txt
# The cache mount is not part of the image: the listing is, the marker is not.
RUN --mount=type=cache,target=/var/cache/r2d-test \
    echo cached > /var/cache/r2d-test/marker && ls /var/cache/r2d-test > /opt/cache-listing
RUN <<EOF
set -e
greeting="written by a heredoc RUN"
echo "$greeting" > /opt/heredoc-run.txt
EOF
COPY <<EOF /opt/heredoc-copy.txt
line one of a heredoc COPY
line two
EOF
COPY --chown=${NB_UID}:${NB_UID} . /home/${NB_USER}/
WORKDIR /home/${NB_USER}
USER ${NB_UID}
