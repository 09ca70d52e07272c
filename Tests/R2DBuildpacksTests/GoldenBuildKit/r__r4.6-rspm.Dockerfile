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
RUN --mount=type=cache,id=r2d-apt-lists,target=/var/lib/apt/lists,sharing=locked \
    --mount=type=cache,id=r2d-apt-archives,target=/var/cache/apt,sharing=locked \
    apt-get -qq update > /dev/null \
 && apt-get -qq -o Dir::Cache::Archives=/var/cache/apt/r2d-archives/ -o APT::Keep-Downloaded-Packages=true install --yes libapparmor1 libssl-dev lsb-release psmisc sudo > /dev/null \
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
ENV R_LIBS_USER=${APP_BASE}/rlibs
ENV PATH=${NB_PYTHON_PREFIX}/bin:${CONDA_DIR}/bin:${NPM_DIR}/bin:/usr/lib/rstudio-server/bin/:${PATH}

COPY --chown=1000:1000 build_script_files/activate-conda.sh /etc/profile.d/activate-conda.sh
COPY --chown=1000:1000 build_script_files/environment.txt /tmp/env/environment.txt
COPY --chown=1000:1000 build_script_files/install-base-env.bash /tmp/install-base-env.bash

RUN --mount=type=cache,id=r2d-conda-pkgs,target=/var/cache/r2d/conda-pkgs,sharing=locked \
    export CONDA_PKGS_DIRS=/var/cache/r2d/conda-pkgs MAMBA_PKGS_DIRS=/var/cache/r2d/conda-pkgs MAMBA_ALWAYS_COPY=true \
 && install -o ${NB_USER} -g ${NB_USER} -d ${NPM_DIR} \
 && MICROMAMBA_URL='https://anaconda.org/conda-forge/micromamba/2.8.1/download/{platform}/micromamba-2.8.1-0.tar.bz2' CONDA_CHANNELS=conda-forge /tmp/install-base-env.bash \
 && rm -rf /tmp/install-base-env.bash /tmp/env \
 && chown -R ${NB_USER}:${NB_USER} ${NPM_DIR}
RUN --mount=type=cache,id=r2d-apt-lists,target=/var/lib/apt/lists,sharing=locked \
    --mount=type=cache,id=r2d-apt-archives,target=/var/cache/apt,sharing=locked \
    apt-get -qq update > /dev/null \
 && apt-get -qq -o Dir::Cache::Archives=/var/cache/apt/r2d-archives/ -o APT::Keep-Downloaded-Packages=true install --yes --no-install-recommends libclang-dev libzmq3-dev > /dev/null \
 && . /etc/os-release && case "$ID" in ubuntu) distro="ubuntu-$(echo "$VERSION_ID" | tr -d .)" ;; debian) distro="debian-$VERSION_ID" ;; *) echo "R: no Posit build of R for $ID" >&2; exit 1 ;; esac \
 && curl --fail --silent --show-error --location --retry 3 --output /tmp/r.deb https://cdn.rstudio.com/r/"${distro}/pkgs/r-4.6.1_1_amd64.deb" \
 && apt-get -qq -o Dir::Cache::Archives=/var/cache/apt/r2d-archives/ -o APT::Keep-Downloaded-Packages=true install --yes --no-install-recommends /tmp/r.deb > /dev/null \
 && rm /tmp/r.deb \
 && apt-get -qq purge \
 && ln -s /opt/R/4.6.1/bin/R /usr/local/bin/R \
 && ln -s /opt/R/4.6.1/bin/Rscript /usr/local/bin/Rscript \
 && R --version
RUN --mount=type=cache,id=r2d-apt-lists,target=/var/lib/apt/lists,sharing=locked \
    --mount=type=cache,id=r2d-apt-archives,target=/var/cache/apt,sharing=locked \
    apt-get -qq update > /dev/null \
 && if apt-cache search libssl3 | grep -q libssl3; then RSTUDIO_URL=https://download2.rstudio.org/server/jammy/amd64/rstudio-server-2026.09.0-174-amd64.deb; RSTUDIO_SHA256=168bc577ef2f68abab1ad2ed684e830da1d244618b25b69fd20448e60716c5ba; else RSTUDIO_URL=https://download2.rstudio.org/server/focal/amd64/rstudio-server-2024.12.0-467-amd64.deb; RSTUDIO_SHA256=052540a8df135d9ce7569ddc2fc9637671103934179691bc3e43298336fc3a8e; fi \
 && curl --fail --silent --show-error --location --retry 3 --output /tmp/rstudio.deb "$RSTUDIO_URL" \
 && curl --fail --silent --show-error --location --retry 3 --output /tmp/shiny.deb https://download3.rstudio.org/ubuntu-20.04/x86_64/shiny-server-1.5.23.1030-amd64.deb \
 && echo "$RSTUDIO_SHA256  /tmp/rstudio.deb" | sha256sum -c - \
 && echo "4a3d063a06ccd1b6c53eb1d7f4fb59965bced10d1c5c87e8c476b58dd6fd35ee  /tmp/shiny.deb" | sha256sum -c - \
 && apt-get -qq -o Dir::Cache::Archives=/var/cache/apt/r2d-archives/ -o APT::Keep-Downloaded-Packages=true install --yes --no-install-recommends /tmp/rstudio.deb /tmp/shiny.deb > /dev/null \
 && rm /tmp/rstudio.deb /tmp/shiny.deb \
 && apt-get -qq purge
USER ${NB_USER}
RUN --mount=type=cache,id=r2d-pip-1000,target=/var/cache/r2d/pip,uid=1000,gid=1000 \
    export PIP_CACHE_DIR=/var/cache/r2d/pip \
 && ${NB_PYTHON_PREFIX}/bin/pip install jupyter-rsession-proxy==2.3.0 jupyter-shiny-proxy==1.4
USER root
RUN install -o ${NB_USER} -g ${NB_USER} -d /var/log/shiny-server /var/lib/shiny-server \
 && install -o ${NB_USER} -g ${NB_USER} /dev/null /var/log/shiny-server.log \
 && install -o ${NB_USER} -g ${NB_USER} /dev/null /var/run/shiny-server.pid
RUN install -o ${NB_USER} -g ${NB_USER} -d ${R_LIBS_USER}
RUN sed -i -e '/^R_LIBS_USER=/s/^/#/' /opt/R/4.6.1/lib/R/etc/Renviron \
 && echo "R_LIBS_USER=${R_LIBS_USER}" >> /opt/R/4.6.1/lib/R/etc/Renviron
RUN R RHOME \
 && . /etc/os-release && echo "options(repos = c(CRAN = \""https://packagemanager.posit.co/cran"/__linux__/${VERSION_CODENAME}/2026-06-24\"))" > /opt/R/4.6.1/lib/R/etc/Rprofile.site \
 && mkdir -p /etc/rstudio \
 && . /etc/os-release && echo "r-cran-repos="https://packagemanager.posit.co/cran"/__linux__/${VERSION_CODENAME}/2026-06-24" > /etc/rstudio/rsession.conf
RUN printf '%s\n' '[*]' log-level=info logger-type=stderr > /etc/rstudio/logging.conf
USER ${NB_USER}
RUN R --no-save --no-restore --no-init-file --no-environ --quiet -e "install.packages(c('remotes', 'devtools', 'IRkernel', 'shiny'))" \
 && R --no-save --no-restore --no-init-file --no-environ --quiet -e "IRkernel::installspec(prefix='${NB_PYTHON_PREFIX}')" \
 && rm -rf /tmp/downloaded_packages

USER root
ARG REPO_DIR=${HOME}
ENV REPO_DIR=${REPO_DIR}
RUN if [ ! -d "${REPO_DIR}" ]; then /usr/bin/install -o ${NB_USER} -g ${NB_USER} -d "${REPO_DIR}"; fi
WORKDIR ${REPO_DIR}
RUN chown ${NB_USER}:${NB_USER} ${REPO_DIR}

ENV PATH=${HOME}/.local/bin:${REPO_DIR}/.local/bin:${PATH}
ENV CONDA_DEFAULT_ENV=${KERNEL_PYTHON_PREFIX}
ENV R_HOME=/opt/R/4.6.1/lib/R
ENV R_DOC_DIR=${R_HOME}/doc
ENV LD_LIBRARY_PATH=${R_HOME}/lib:${LD_LIBRARY_PATH}

# Environment files first, so that editing other files keeps the installed environment cached.
COPY --chown=1000:1000 src/install.R ${REPO_DIR}/install.R
USER ${NB_USER}
RUN Rscript install.R && touch /tmp/.preassembled || true \
 && rm -rf /tmp/downloaded_packages

USER root
COPY --chown=1000:1000 src/ ${REPO_DIR}/
USER ${NB_USER}
RUN if [ ! -f /tmp/.preassembled ]; then Rscript install.R; rm -rf /tmp/downloaded_packages; fi

USER ${NB_USER}

ENV PYTHONUNBUFFERED=1
# Executable modes come from the build context, so no COPY --chmod is needed.
COPY python3-login /usr/local/bin/python3-login
COPY repo2docker-entrypoint /usr/local/bin/repo2docker-entrypoint
ENTRYPOINT ["/usr/local/bin/repo2docker-entrypoint"]
CMD ["jupyter", "notebook", "--ip", "0.0.0.0"]

RUN echo appendix > /tmp/appendix
