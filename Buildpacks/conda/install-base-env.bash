#!/bin/bash
# Installs micromamba, the conda base prefix and the notebook environment (plus, for Python 2.7, 3.5
# and 3.6, a separate kernel environment). Run as root at image build time, before any repository
# file is copied. The generated Dockerfile sets:
#   CONDA_DIR, NB_PYTHON_PREFIX, NB_ENVIRONMENT_FILE, CONDA_PLATFORM, NPM_DIR, NB_USER
#   KERNEL_PYTHON_PREFIX, KERNEL_ENVIRONMENT_FILE   (only with a separate kernel environment)
#   MICROMAMBA_URL   the micromamba package; {platform} is replaced by CONDA_PLATFORM
#   CONDA_CHANNELS   channel names or URLs, space separated, highest priority first
#   CONDA_PKGS_DIRS  (only under BuildKit) the package cache, a cache mount outside the image: kept
# The micromamba package is refused unless its sha256 matches the one pinned here, so a mirror must
# serve the same file.
set -euo pipefail

MICROMAMBA_VERSION="2.8.1"
MICROMAMBA_SHA256_LINUX_64="a934c3709c997feae403a27fd1e321c106d26ffa4f294800ffb11cbc9a3e8515"
MICROMAMBA_SHA256_LINUX_AARCH64="70c60a36609ee8bcc07a3a1a66b2c3a65cff7c1053466963437f1bda72e5210f"
CONDA_VERSION="26.3.2"
MAMBA_VERSION="2.8.1"

die() {
    echo "install-base-env: $*" >&2
    exit 1
}

# Mirror URLs may carry credentials (https://user:token@host/...): never print them.
redact() {
    printf '%s' "$1" | sed -E 's#^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@#\1***@#'
}

case "${CONDA_PLATFORM}" in
    linux-64) sha256="$MICROMAMBA_SHA256_LINUX_64" ;;
    linux-aarch64) sha256="$MICROMAMBA_SHA256_LINUX_AARCH64" ;;
    *) die "no pinned micromamba ${MICROMAMBA_VERSION} for platform '${CONDA_PLATFORM}'" ;;
esac

url="${MICROMAMBA_URL//\{platform\}/${CONDA_PLATFORM}}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! curl --fail --silent --show-error --location --retry 3 --output "$tmp/micromamba.tar.bz2" "$url"; then
    die "could not download micromamba from $(redact "$url") (set --micromamba-url to a reachable copy)"
fi
actual="$(sha256sum "$tmp/micromamba.tar.bz2" | cut -d ' ' -f 1)"
[ "$actual" = "$sha256" ] || die "sha256 mismatch for $(redact "$url"): expected ${sha256}, got ${actual}; refusing to install it"
tar -xjf "$tmp/micromamba.tar.bz2" -C "$tmp" bin/micromamba
install -m 0755 "$tmp/bin/micromamba" /usr/local/bin/micromamba

channel_args=(--override-channels)
mkdir -p "${CONDA_DIR}"
{
    echo "channels:"
    for channel in ${CONDA_CHANNELS}; do
        echo "  - ${channel}"
        channel_args+=(--channel "${channel}")
    done
    echo "auto_update_conda: false"
    echo "show_channel_urls: true"
    echo "update_dependencies: false"
} >"${CONDA_DIR}/.condarc"

export MAMBA_ROOT_PREFIX="${CONDA_DIR}"
time micromamba install --yes --prefix "${CONDA_DIR}" "${channel_args[@]}" "conda=${CONDA_VERSION}" "mamba=${MAMBA_VERSION}"

time micromamba create --yes --prefix "${NB_PYTHON_PREFIX}" "${channel_args[@]}" --file "${NB_ENVIRONMENT_FILE}"
# The history would make later `mamba env update` calls try to keep these exact requests.
: >"${NB_PYTHON_PREFIX}/conda-meta/history"

if [ -n "${KERNEL_ENVIRONMENT_FILE:-}" ]; then
    time micromamba create --yes --prefix "${KERNEL_PYTHON_PREFIX}" "${channel_args[@]}" --file "${KERNEL_ENVIRONMENT_FILE}"
    # Register the user's (old) Python as a kernel of the notebook server's environment.
    "${KERNEL_PYTHON_PREFIX}/bin/ipython" kernel install --prefix "${NB_PYTHON_PREFIX}"
    : >"${KERNEL_PYTHON_PREFIX}/conda-meta/history"
fi

# The package cache stays out of the image either way: removed here, or (under BuildKit) a mount kept for
# the next build (and the prefix's own pkgs directory, which micromamba then leaves empty, goes anyway).
if [ -z "${CONDA_PKGS_DIRS:-}" ]; then
    micromamba clean --all --force-pkgs-dirs --yes
else
    rm -rf "${CONDA_DIR}/pkgs"
fi
rm -rf /root/.cache
chown -R "${NB_USER}:${NB_USER}" "${CONDA_DIR}"
"${NB_PYTHON_PREFIX}/bin/npm" config --global set prefix "${NPM_DIR}"
echo "install-base-env: micromamba ${MICROMAMBA_VERSION}, conda ${CONDA_VERSION}, mamba ${MAMBA_VERSION} in ${CONDA_DIR}"
