FROM swift-r2d/test-base:bookworm

ENV DEBIAN_FRONTEND=noninteractive

# Locales
RUN apt-get -qq update > /dev/null \
 && apt-get -qq install --yes --no-install-recommends locales > /dev/null \
 && apt-get -qq purge > /dev/null \
 && apt-get -qq clean \
 && rm -rf /var/lib/apt/lists/* \
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

RUN apt-get -qq update > /dev/null \
 && apt-get -qq install --yes --no-install-recommends gettext-base less unzip > /dev/null \
 && apt-get -qq purge > /dev/null \
 && apt-get -qq clean \
 && rm -rf /var/lib/apt/lists/*

EXPOSE 8888

ENV APP_BASE=/srv
ENV PATH=/home/${NB_USER}/.nix-profile/bin:${PATH}

COPY --chown=1000:1000 build_script_files/install-nix.bash /home/${NB_USER}/.local/bin/install-nix.bash
COPY --chown=1000:1000 build_script_files/nix-shell-wrapper /usr/local/bin/nix-shell-wrapper

RUN mkdir -m 0755 /nix \
 && chown -R ${NB_USER}:${NB_USER} /nix /usr/local/bin/nix-shell-wrapper /home/${NB_USER} \
 && mkdir -p /etc/nix \
 && echo "sandbox = false" > /etc/nix/nix.conf
USER ${NB_USER}
RUN NIX_ARCH=x86_64 NIX_INSTALLER_URL='https://nixos.org/releases/nix/nix-{version}/nix-{version}-{arch}-linux.tar.xz' bash /home/${NB_USER}/.local/bin/install-nix.bash \
 && rm /home/${NB_USER}/.local/bin/install-nix.bash

USER root
ARG REPO_DIR=${HOME}
ENV REPO_DIR=${REPO_DIR}
RUN if [ ! -d "${REPO_DIR}" ]; then /usr/bin/install -o ${NB_USER} -g ${NB_USER} -d "${REPO_DIR}"; fi
WORKDIR ${REPO_DIR}
RUN chown ${NB_USER}:${NB_USER} ${REPO_DIR}

ENV PATH=${HOME}/.local/bin:${REPO_DIR}/.local/bin:${PATH}
ENV NIX_PATH=nixpkgs=/home/${NB_USER}/.nix-defexpr/channels/nixpkgs
ENV NIX_SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
ENV GIT_SSL_CAINFO=/etc/ssl/certs/ca-certificates.crt

# Environment files first, so that editing other files keeps the installed environment cached.

USER root
COPY --chown=1000:1000 src/ ${REPO_DIR}/
USER ${NB_USER}
RUN nix-channel --add https://nixos.org/channels/nixpkgs-unstable nixpkgs \
 && nix-channel --update \
 && nix-shell default.nix

USER ${NB_USER}
ENV R2D_ENTRYPOINT="/usr/local/bin/nix-shell-wrapper"

ENV PYTHONUNBUFFERED=1
# Executable modes come from the build context, so no COPY --chmod is needed.
COPY python3-login /usr/local/bin/python3-login
COPY repo2docker-entrypoint /usr/local/bin/repo2docker-entrypoint
ENTRYPOINT ["/usr/local/bin/repo2docker-entrypoint"]
CMD ["jupyter", "notebook", "--ip", "0.0.0.0"]

RUN echo appendix > /tmp/appendix
