FROM swift-r2d/test-base:bookworm
ARG NB_USER=jovyan
ARG NB_UID=1000
RUN useradd --create-home --uid ${NB_UID} ${NB_USER}
# The context is the repository root, not binder/.
ADD sayhi.sh /usr/local/bin/sayhi.sh
COPY --chown=${NB_UID}:${NB_UID} . /home/${NB_USER}/
WORKDIR /home/${NB_USER}
USER ${NB_UID}
