#!/usr/bin/env bash
# Starts Podman's Docker-compatible API service on /run/podman/podman.sock (as root) and loads the test base
# image into Podman's own image store. Idempotent.
set -euo pipefail
socket=/run/podman/podman.sock
base_image=${1:-swift-r2d/test-base:bookworm}

# Podman gives containers nofile/nproc limits of about a million by default; inside a sandboxed VM whose own
# hard limits are lower, runc then fails with "error setting rlimits". Cap the defaults at what this machine
# allows (a no-op on ordinary hosts, whose limits are higher).
nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
[[ "$nofile" == unlimited || "$nofile" -gt 1048576 ]] && nofile=1048576
[[ "$nproc" == unlimited || "$nproc" -gt 32768 ]] && nproc=32768
mkdir -p /etc/containers/containers.conf.d
cat > /etc/containers/containers.conf.d/50-swift-r2d-limits.conf <<CONF
# Written by swift-r2d's scripts/start-podman.sh for its tests.
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]
CONF

if ! curl -sf --unix-socket "$socket" http://d/_ping >/dev/null 2>&1; then
  mkdir -p "$(dirname "$socket")"
  nohup podman system service --time=0 "unix://$socket" >/var/log/swift-r2d-podman.log 2>&1 &
  for _ in $(seq 1 100); do
    curl -sf --unix-socket "$socket" http://d/_ping >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -sf --unix-socket "$socket" http://d/_ping >/dev/null || { echo "start-podman: the service did not answer on $socket; see /var/log/swift-r2d-podman.log" >&2; exit 1; }
fi
echo "start-podman: podman $(podman --version | awk '{print $3}') answers on $socket"

if ! podman image exists "$base_image"; then
  docker image inspect "$base_image" >/dev/null
  docker save "$base_image" | podman load >/dev/null
  echo "start-podman: loaded $base_image into podman"
fi

# The Podman tests untag their images and keep them as layer cache (podman rmi would delete the cache too);
# what earlier runs left is pruned here, so the store does not grow from run to run.
podman image prune -f >/dev/null 2>&1 || true
