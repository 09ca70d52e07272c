#!/usr/bin/env bash
# Starts the tests' second, newer engine: two Docker 26 daemons (scripts/make-dind-image.sh) in containers of the
# host dockerd, each answering only on a unix socket under /run/swift-r2d-dind:
#   overlay2/docker.sock   the classic image store (overlay2): BuildKit builds with a tar context work here;
#   containerd/docker.sock the containerd image store: they do not (moby/moby #47717), the classic builder does.
# They share the host's network namespace and bind no TCP port; --bridge=none, like the host dockerd, so a build
# has a network only when it asks for the host's. An instance that already answers is left alone. Then the test
# base image is loaded into each, unless it has the host's one already.
# Usage: start-dind.sh [BASE_IMAGE [DIND_IMAGE]]
set -euo pipefail

base_image=${1:-swift-r2d/test-base:bookworm}
dind_image=${2:-swift-r2d/dind:trixie}
root=/run/swift-r2d-dind
timeout=60

ping_socket() {
  [[ "$(curl -fsS --max-time 3 --unix-socket "$1" http://d/_ping 2>/dev/null)" == OK ]]
}

# The daemon's /info, so that a daemon answering on our socket is checked to be the kind we expect.
storage_of() {
  curl -fsS --max-time 5 --unix-socket "$1" http://d/info | python3 -c '
import json, sys
info = json.load(sys.stdin)
status = dict(info.get("DriverStatus") or [])
print("containerd" if status.get("driver-type") == "io.containerd.snapshotter.v1" else info["Driver"])'
}

# run_instance NAME STORE EXTRA_DOCKER_RUN_ARGUMENTS...: the container swift-r2d-dind-NAME, its /var/lib/docker
# in the volume of the same name (kept across restarts: it holds the layer cache).
run_instance() {
  local name=$1 store=$2
  shift 2
  local dir=$root/$name container=swift-r2d-dind-$name
  local socket=$dir/docker.sock
  if ping_socket "$socket"; then
    echo "start-dind: $name already answers on $socket"
  else
    mkdir -p "$dir"
    rm -f "$socket"
    # A container left from an earlier boot (stopped, or running without its socket) is replaced; the volume stays.
    docker rm -f "$container" >/dev/null 2>&1 || true
    docker run -d --name "$container" --label org.swift-r2d.dind="$name" \
      --network host --cap-add ALL --cap-drop SYS_RESOURCE \
      --security-opt seccomp=unconfined --security-opt apparmor=unconfined --cgroupns host \
      -v /sys/fs/cgroup:/sys/fs/cgroup:rw -v "$dir:/sock" -v "$container:/var/lib/docker" --tmpfs /run \
      "$@" "$dind_image" \
      dockerd --host unix:///sock/docker.sock --iptables=false --ip6tables=false --bridge=none >/dev/null
    wait_for "$name" "$socket" "$container"
  fi
  local found
  found=$(storage_of "$socket")
  if [[ "$found" != "$store" ]]; then
    echo "start-dind: ERROR: the daemon on $socket uses the $found image store, not $store" >&2
    exit 1
  fi
  load_base_image "$name" "$socket"
}

wait_for() {
  local name=$1 socket=$2 container=$3 started=$SECONDS
  for ((i = 0; i < timeout * 2; i++)); do
    if ping_socket "$socket"; then
      echo "start-dind: $name ($(curl -fsS --unix-socket "$socket" http://d/version |
        python3 -c 'import json,sys; v=json.load(sys.stdin); print("Docker", v["Version"], "API", v["ApiVersion"])')) answers on $socket after $((SECONDS - started))s"
      return 0
    fi
    [[ "$(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" == true ]] || break
    sleep 0.5
  done
  echo "start-dind: ERROR: $name did not answer on $socket within ${timeout}s; last lines of its log (docker logs $container):" >&2
  docker logs --tail 30 "$container" >&2 || true
  exit 1
}

# The image's diff IDs, which the save/load keeps on either image store (the image ID does not on containerd).
layers_of() {
  curl -fsS --unix-socket "$1" "http://d/images/$(printf %s "$2" | sed 's,/,%2F,g')/json" 2>/dev/null |
    python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["RootFS"]["Layers"]))' 2>/dev/null || true
}

load_base_image() {
  local name=$1 socket=$2
  local want have
  want=$(docker image inspect -f '{{join .RootFS.Layers " "}}' "$base_image")
  have=$(layers_of "$socket" "$base_image")
  if [[ "$have" == "$want" ]]; then
    echo "start-dind: $name already has $base_image"
    return 0
  fi
  local answer
  answer=$(docker save "$base_image" | curl -fsS --unix-socket "$socket" -X POST -H 'Content-Type: application/x-tar' \
    --data-binary @- 'http://d/images/load?quiet=1')
  have=$(layers_of "$socket" "$base_image")
  if [[ "$have" != "$want" ]]; then
    echo "start-dind: ERROR: loading $base_image into $name failed: $answer" >&2
    exit 1
  fi
  echo "start-dind: loaded $base_image into $name"
}

docker image inspect "$dind_image" >/dev/null 2>&1 || {
  echo "start-dind: ERROR: $dind_image is missing; run scripts/make-dind-image.sh" >&2
  exit 1
}
docker image inspect "$base_image" >/dev/null 2>&1 || {
  echo "start-dind: ERROR: $base_image is missing; run scripts/make-base-image.sh" >&2
  exit 1
}

exec 9>/tmp/swift-r2d-dind-start.lock
flock 9

run_instance overlay2 overlay2

printf '%s\n' '{"features":{"containerd-snapshotter":true}}' >"$root/containerd-daemon.json"
run_instance containerd containerd \
  -v "$root/containerd-daemon.json:/etc/docker/daemon.json:ro" -v swift-r2d-dind-containerd-data:/var/lib/containerd
