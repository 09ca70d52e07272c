#!/usr/bin/env bash
# Builds the Debian bookworm base image the tests build on (Docker Hub is unreachable here),
# unless the daemon already has it. Usage: scripts/make-base-image.sh [NAME]
set -euo pipefail

name=${1:-swift-r2d/test-base:bookworm}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if docker image inspect "$name" >/dev/null 2>&1; then
  echo "make-base-image: $name already present"
  exit 0
fi

# Two concurrent runs would both spend a minute building the same image.
exec 9>/tmp/swift-r2d-base-image.lock
flock 9
if docker image inspect "$name" >/dev/null 2>&1; then
  echo "make-base-image: $name already present"
  exit 0
fi

start=$(date +%s)
log=/tmp/swift-r2d-mmdebstrap.log
tmp=$(mktemp -d /tmp/swift-r2d-base-image.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# Without a MIRROR argument mmdebstrap ignores the host's apt sources and uses its built-in
# deb.debian.org + security.debian.org list, so pass the host's active source files explicitly.
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  if [[ -s "$f" ]]; then sources+=("$f"); fi
done
if ((${#sources[@]} == 0)); then
  echo "make-base-image: no host apt sources found, using mmdebstrap's default Debian mirrors"
fi

echo "make-base-image: building $name with mmdebstrap (sources: ${sources[*]:-default})"
# Docs, man pages and message translations are excluded (as in Debian's slim images): tests never
# read them and they are a quarter of the image.
if ! mmdebstrap --variant=minbase \
  --include=ca-certificates,curl,git,python3,python3-venv,python3-pip,bash,locales,less,procps \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook="\"$here/base-image-hook.sh\" \"\$1\"" \
  bookworm "$tmp/rootfs.tar" "${sources[@]}" >"$log" 2>&1; then
  echo "make-base-image: ERROR: mmdebstrap failed; last lines of its log:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
grep '^base-image-hook:' "$log" || true

docker import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' "$tmp/rootfs.tar" "$name" >/dev/null

# Builds pip-install from PyPI through the TLS-inspecting proxy; check the image's CA setup allows it.
if docker run --rm --network host "$name" python3 -c \
  'import urllib.request; urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=20)' >/dev/null 2>&1; then
  echo "make-base-image: HTTPS to PyPI from inside the image works"
else
  echo "make-base-image: WARNING: HTTPS to PyPI from inside $name failed (CA bundle or network); builds that pip install will fail" >&2
fi

size=$(docker image inspect -f '{{.Size}}' "$name")
echo "make-base-image: built $name in $(($(date +%s) - start))s, size $((size / 1000000)) MB"
