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
ENV CONDA_DIR=${APP_BASE}/conda
ENV NB_PYTHON_PREFIX=${CONDA_DIR}/envs/notebook
ENV NPM_DIR=${APP_BASE}/npm
ENV NPM_CONFIG_GLOBALCONFIG=${NPM_DIR}/npmrc
ENV NB_ENVIRONMENT_FILE=/tmp/env/environment.txt
ENV MAMBA_ROOT_PREFIX=${CONDA_DIR}
ENV MAMBA_EXE=${CONDA_DIR}/bin/mamba
ENV CONDA_PLATFORM=linux-64
ENV KERNEL_PYTHON_PREFIX=${NB_PYTHON_PREFIX}
ENV PATH=${NB_PYTHON_PREFIX}/bin:${CONDA_DIR}/bin:${NPM_DIR}/bin:${PATH}

COPY --chown=1000:1000 build_script_files/activate-conda.sh /etc/profile.d/activate-conda.sh
COPY --chown=1000:1000 build_script_files/environment.txt /tmp/env/environment.txt
COPY --chown=1000:1000 build_script_files/install-base-env.bash /tmp/install-base-env.bash

RUN --mount=type=cache,id=r2d-conda-pkgs,target=/var/cache/r2d/conda-pkgs,sharing=locked \
    export CONDA_PKGS_DIRS=/var/cache/r2d/conda-pkgs MAMBA_PKGS_DIRS=/var/cache/r2d/conda-pkgs MAMBA_ALWAYS_COPY=true \
 && install -o ${NB_USER} -g ${NB_USER} -d ${NPM_DIR} \
 && MICROMAMBA_URL='https://anaconda.org/conda-forge/micromamba/2.8.1/download/{platform}/micromamba-2.8.1-0.tar.bz2' CONDA_CHANNELS=conda-forge /tmp/install-base-env.bash \
 && rm -rf /tmp/install-base-env.bash /tmp/env \
 && chown -R ${NB_USER}:${NB_USER} ${NPM_DIR}

USER root
ARG REPO_DIR=${HOME}
ENV REPO_DIR=${REPO_DIR}
RUN if [ ! -d "${REPO_DIR}" ]; then /usr/bin/install -o ${NB_USER} -g ${NB_USER} -d "${REPO_DIR}"; fi
WORKDIR ${REPO_DIR}
RUN chown ${NB_USER}:${NB_USER} ${REPO_DIR}

ENV PATH=${HOME}/.local/bin:${REPO_DIR}/.local/bin:${PATH}
ENV CONDA_DEFAULT_ENV=${KERNEL_PYTHON_PREFIX}

# Environment files first, so that editing other files keeps the installed environment cached.
COPY --chown=1000:1000 src/requirements.txt ${REPO_DIR}/requirements.txt
USER ${NB_USER}
RUN --mount=type=cache,id=r2d-pip-1000,target=/var/cache/r2d/pip,uid=1000,gid=1000 \
    export PIP_CACHE_DIR=/var/cache/r2d/pip \
 && ${KERNEL_PYTHON_PREFIX}/bin/pip install -r "requirements.txt"

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
