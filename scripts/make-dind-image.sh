#!/usr/bin/env bash
# Builds the image the tests' second, newer Docker runs from (scripts/start-dind.sh): a Debian trixie root
# filesystem with trixie's docker.io (Docker 26), imported into the host dockerd. Docker Hub is unreachable here,
# so no docker:dind image. Skips the build when the daemon already has the image. Usage: make-dind-image.sh [NAME]
set -euo pipefail

name=${1:-swift-r2d/dind:trixie}
packages=docker.io,ca-certificates,iptables,procps

if docker image inspect "$name" >/dev/null 2>&1; then
  echo "make-dind-image: $name already present"
  exit 0
fi

exec 9>/tmp/swift-r2d-dind-image.lock
flock 9
if docker image inspect "$name" >/dev/null 2>&1; then
  echo "make-dind-image: $name already present"
  exit 0
fi

# trixie is not in the machine's own sources (bookworm): take the Debian mirror they name, read now, so a
# machine with a local mirror or a snapshot proxy uses it. The security suite is left out (minbase needs none).
mirror=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [[ -z "$mirror" ]]; then
  mirror=$(awk '/^deb / && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1 || true)
fi
if [[ -z "$mirror" ]]; then
  echo "make-dind-image: ERROR: no Debian mirror found in /etc/apt/sources.list{,.d}" >&2
  exit 1
fi

start=$(date +%s)
log=/tmp/swift-r2d-dind-mmdebstrap.log
tmp=$(mktemp -d /tmp/swift-r2d-dind-image.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

echo "make-dind-image: building $name with mmdebstrap (trixie from $mirror)"
if ! mmdebstrap --variant=minbase --include="$packages" \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  trixie "$tmp/rootfs.tar" "deb $mirror trixie main" >"$log" 2>&1; then
  echo "make-dind-image: ERROR: mmdebstrap failed; last lines of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi

docker import --change 'CMD ["dockerd"]' --change "LABEL org.swift-r2d.packages=$packages" \
  "$tmp/rootfs.tar" "$name" >/dev/null
version=$(docker run --rm --network none "$name" dockerd --version)
size=$(docker image inspect -f '{{.Size}}' "$name")
echo "make-dind-image: built $name ($version) in $(($(date +%s) - start))s, size $((size / 1000000)) MB"
