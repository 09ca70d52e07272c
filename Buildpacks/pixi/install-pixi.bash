#!/bin/bash
# Installs a pinned pixi (prefix-dev/pixi, the conda-forge package manager; NOT the unrelated PyPI package
# named pixi) into /usr/local/bin. Run as root at image build time, before any repository file is copied.
# The generated Dockerfile sets PIXI_ARCH (x86_64 or aarch64) and PIXI_URL, in which {version} and {arch}
# are filled in (default: the GitHub release). The archive is refused unless its sha256 matches the one
# pinned here, so a mirror must serve the same file.
set -euo pipefail

PIXI_VERSION="0.75.0"
PIXI_SHA256_X86_64="bcd825d62905c29b3c754b71f9cdc9d6f119454398f58330f111a7b6a0de0a3f"
PIXI_SHA256_AARCH64="6476588859faa7232def49ff590f199390bd93fae3826617596befc52382724f"

die() {
    echo "install-pixi: $*" >&2
    exit 1
}

# Mirror URLs may carry credentials (https://user:token@host/...): never print them.
redact() {
    printf '%s' "$1" | sed -E 's#^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@#\1***@#'
}

case "${PIXI_ARCH}" in
    x86_64) sha256="$PIXI_SHA256_X86_64" ;;
    aarch64) sha256="$PIXI_SHA256_AARCH64" ;;
    *) die "no pinned pixi ${PIXI_VERSION} for '${PIXI_ARCH}'" ;;
esac

url="${PIXI_URL//\{version\}/${PIXI_VERSION}}"
url="${url//\{arch\}/${PIXI_ARCH}}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
curl --fail --silent --show-error --location --retry 3 --output "$tmp/pixi.tar.gz" "$url" \
    || die "could not download pixi from $(redact "$url") (set --pixi-url to a reachable copy)"
actual="$(sha256sum "$tmp/pixi.tar.gz" | cut -d ' ' -f 1)"
[ "$actual" = "$sha256" ] || die "sha256 mismatch for $(redact "$url"): expected ${sha256}, got ${actual}; refusing to install it"
tar -xzf "$tmp/pixi.tar.gz" -C "$tmp" pixi
install -m 0755 "$tmp/pixi" /usr/local/bin/pixi
installed="$(/usr/local/bin/pixi --version)"
[ "$installed" = "pixi ${PIXI_VERSION}" ] || die "/usr/local/bin/pixi reports '${installed}', expected pixi ${PIXI_VERSION}"
echo "install-pixi: installed ${installed} from $(redact "$url")"
