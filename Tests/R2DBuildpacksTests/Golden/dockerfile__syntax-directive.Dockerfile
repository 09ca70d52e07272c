# syntax=docker/dockerfile:1
# The line above makes BuildKit fetch the docker/dockerfile:1 frontend image from Docker Hub, which is not
# reachable in CI; --builtin-frontend builds this file with the engine's own frontend instead.
FROM swift-r2d/test-base:bookworm
ARG NB_USER=jovyan
ARG NB_UID=1000
RUN useradd --create-home --uid ${NB_UID} ${NB_USER}
COPY --chown=${NB_UID}:${NB_UID} . /home/${NB_USER}/
WORKDIR /home/${NB_USER}
USER ${NB_UID}
