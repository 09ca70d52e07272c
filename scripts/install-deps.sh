#!/usr/bin/env bash
# Installs the Debian packages swift-r2d needs to build and to run its tests against a real daemon.
# Idempotent: when every package is already installed, apt is not touched at all.
set -euo pipefail

packages=(
  docker.io libgit2-dev libarchive-dev libyaml-dev libacl1-dev libzstd-dev liblz4-dev pkg-config mmdebstrap busybox-static
  git curl ca-certificates python3 openssl uidmap make docker-registry apache2-utils podman
  mercurial mercurial-evolve
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    echo "install-deps: not root, using sudo"
    sudo=(sudo)
  else
    echo "install-deps: ERROR: must run as root (sudo is not available) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
log=$(mktemp /tmp/swift-r2d-install-deps.XXXXXX.log)
# Output goes to a log so normal runs stay quiet; on failure the log tail says why.
run() {
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "$@" >>"$log" 2>&1; then
    echo "install-deps: ERROR: '$*' failed; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
}
run apt-get update -q
run apt-get install -y -q --no-install-recommends "${missing[@]}"
rm -f "$log"
echo "install-deps: done"
