FROM swift-r2d/test-base:bookworm

ENV DEBIAN_FRONTEND=noninteractive

# Locales
RUN --mount=type=cache,id=r2d-apt-lists,target=/var/lib/apt/lists,sharing=locked \
    --mount=type=cache,id=r2d-apt-archives,target=/var/cache/apt,sharing=locked \
    apt-get -qq update > /dev/null \
 && apt-get -qq -o Dir::Cache::Archives=/var/cache/apt/r2d-archives/ -o APT::Keep-Downloaded-Packages=true install --yes --no-install-recommends locales > /dev/null \
 && apt-get -qq purge > /dev/null \
 && echo "en_US.UTF-8 UTF-8" > /etc/locale.gen \
 && locale-gen
ENV LC_ALL=en_US.UTF-8
ENV LANG=en_US.UTF-8
ENV LANGUAGE=en_US.UTF-8

ENV SHELL=/bin/bash

# The image user; a base image that already has this uid (Ubuntu 24.04's ubuntu) gets it renamed.
ARG NB_USER
ARG NB_UID
ENV USER=${NB_USER}
ENV HOME=/home/${NB_USER}
RUN old_group="$(getent group ${NB_UID} | cut -d: -f1)" \
 && if [ -n "$old_group" ] && [ "$old_group" != "${NB_USER}" ]; then groupmod --new-name ${NB_USER} "$old_group"; fi \
 && if [ -z "$old_group" ]; then groupadd --gid ${NB_UID} ${NB_USER}; fi \
 && old_user="$(getent passwd ${NB_UID} | cut -d: -f1)" \
 && if [ -n "$old_user" ] && [ "$old_user" != "${NB_USER}" ]; then usermod --home /home/${NB_USER} --login ${NB_USER} --move-home "$old_user"; fi \
 && if [ -z "$old_user" ]; then useradd --comment "Default user" --create-home --gid ${NB_UID} --no-log-init --shell /bin/bash --uid ${NB_UID} ${NB_USER}; fi

RUN --mount=type=cache,id=r2d-apt-lists,target=/var/lib/apt/lists,sharing=locked \
    --mount=type=cache,id=r2d-apt-archives,target=/var/cache/apt,sharing=locked \
    apt-get -qq update > /dev/null \
 && apt-get -qq -o Dir::Cache::Archives=/var/cache/apt/r2d-archives/ -o APT::Keep-Downloaded-Packages=true install --yes --no-install-recommends gettext-base less unzip > /dev/null \
 && apt-get -qq purge > /dev/null

EXPOSE 8888

ENV APP_BASE=/srv
ENV NB_PYTHON_PREFIX=${APP_BASE}/venv
ENV KERNEL_PYTHON_PREFIX=${NB_PYTHON_PREFIX}
ENV NPM_DIR=${APP_BASE}/npm
ENV NPM_CONFIG_GLOBALCONFIG=${NPM_DIR}/npmrc
ENV UV_PYTHON_INSTALL_DIR=${APP_BASE}/python
ENV UV_LINK_MODE=copy
ENV UV_SYSTEM_CERTS=1
ENV PATH=${NB_PYTHON_PREFIX}/bin:${NPM_DIR}/bin:${PATH}

COPY --chown=1000:1000 build_script_files/activate-venv.sh /etc/profile.d/activate-venv.sh
COPY --chown=1000:1000 build_script_files/install-uv.bash /tmp/install-uv.bash
COPY --chown=1000:1000 build_script_files/jupyter.lock /tmp/env/jupyter.lock

RUN bash /tmp/install-uv.bash \
 && rm /tmp/install-uv.bash \
 && install -o ${NB_USER} -g ${NB_USER} -d ${NB_PYTHON_PREFIX} ${NPM_DIR} ${UV_PYTHON_INSTALL_DIR}
USER ${NB_USER}
RUN --mount=type=cache,id=r2d-uv-1000,target=/var/cache/r2d/uv,uid=1000,gid=1000 \
    export UV_CACHE_DIR=/var/cache/r2d/uv \
 && uv venv --python 3.11 ${NB_PYTHON_PREFIX} \
 && uv pip install --python ${NB_PYTHON_PREFIX} --require-hashes --no-deps -r /tmp/env/jupyter.lock \
 && rm -rf /tmp/env \
 && echo "prefix=${NPM_DIR}" > ${NPM_CONFIG_GLOBALCONFIG}

USER root
ARG REPO_DIR=${HOME}
ENV REPO_DIR=${REPO_DIR}
RUN if [ ! -d "${REPO_DIR}" ]; then /usr/bin/install -o ${NB_USER} -g ${NB_USER} -d "${REPO_DIR}"; fi
WORKDIR ${REPO_DIR}
RUN chown ${NB_USER}:${NB_USER} ${REPO_DIR}

ENV PATH=${HOME}/.local/bin:${REPO_DIR}/.local/bin:${PATH}
ENV VIRTUAL_ENV=${NB_PYTHON_PREFIX}

# Environment files first, so that editing other files keeps the installed environment cached.
COPY --chown=1000:1000 src/requirements.txt ${REPO_DIR}/requirements.txt
USER ${NB_USER}
RUN --mount=type=cache,id=r2d-uv-1000,target=/var/cache/r2d/uv,uid=1000,gid=1000 \
    --mount=type=secret,id=UV_INDEX_URL,required=true,uid=1000 \
    export UV_CACHE_DIR=/var/cache/r2d/uv \
 && UV_INDEX_URL="$(cat /run/secrets/UV_INDEX_URL)" \
 && export UV_INDEX_URL UV_DEFAULT_INDEX="$UV_INDEX_URL" PIP_INDEX_URL="$UV_INDEX_URL" \
 && uv pip install --python ${KERNEL_PYTHON_PREFIX} -r "requirements.txt"

USER root
COPY --chown=1000:1000 src/ ${REPO_DIR}/

USER ${NB_USER}

ENV PYTHONUNBUFFERED=1
# Executable modes come from the build context, so no COPY --chmod is needed.
COPY python3-login /usr/local/bin/python3-login
COPY repo2docker-entrypoint /usr/local/bin/repo2docker-entrypoint
ENTRYPOINT ["/usr/local/bin/repo2docker-entrypoint"]
CMD ["jupyter", "notebook", "--ip", "0.0.0.0"]

RUN echo appendix > /tmp/appendix
