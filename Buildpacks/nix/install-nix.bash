#!/bin/bash
# Single-user install of a pinned Nix, run as the image user at build time. The generated Dockerfile
# sets NIX_ARCH (x86_64 or aarch64) and NIX_INSTALLER_URL, in which {version} and {arch} are
# filled in. The tarball is refused unless its sha256 matches the one pinned here.
set -euo pipefail

NIX_VERSION="2.13.2"
NIX_SHA256_X86_64="beaec0f28899c22f33adbe30e4ecfceef87b797278c5210ee693e22e9719dfb4"
NIX_SHA256_AARCH64="4ae275a46a2441d3459ae389a90ce6e8f7eff12c2a084b2d003ba6f8d0899603"

die() {
    echo "install-nix: $*" >&2
    exit 1
}

case "${NIX_ARCH}" in
    x86_64) sha256="$NIX_SHA256_X86_64" ;;
    aarch64) sha256="$NIX_SHA256_AARCH64" ;;
    *) die "no pinned Nix ${NIX_VERSION} for '${NIX_ARCH}'" ;;
esac

url="${NIX_INSTALLER_URL//\{version\}/${NIX_VERSION}}"
url="${url//\{arch\}/${NIX_ARCH}}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
curl --fail --silent --show-error --location --retry 3 --output "$tmp/nix.tar.xz" "$url" \
    || die "could not download ${url} (set --nix-installer-url to a reachable copy)"
actual="$(sha256sum "$tmp/nix.tar.xz" | cut -d ' ' -f 1)"
[ "$actual" = "$sha256" ] || die "sha256 mismatch for ${url}: expected ${sha256}, got ${actual}; refusing to install it"
tar -xJf "$tmp/nix.tar.xz" -C "$tmp"
sh "$tmp/nix-${NIX_VERSION}-${NIX_ARCH}-linux/install" --no-daemon
