#!/usr/bin/env bash
# Reproducibility measurement (issue 15 item 5): do two BuildKit builds of one commit on two FRESH Docker 26
# daemons give the same image ID? Starts two overlay2 daemons exactly as scripts/start-dind.sh does, each with new,
# empty volumes (no build cache, only the test base image loaded), builds the same commit of each fixture on both
# with `--build-backend buildkit`, then compares the image IDs, `Created`, and the layers' diff IDs one by one.
# For a layer that differs it exports both images and prints which files differ in it and how (mtime, size,
# content, owner, mode); for a config that differs, which fields. A measurement: it reports, it does not fail.
#
# Usage: bench/reproducible-id.sh [FIXTURE...]   (as root; default: dockerfile/simple dockerfile/buildkit-syntax;
#   a generated environment such as venv/default is built on the test base image and takes a few minutes more)
#   env: SWIFT_R2D (default .build/debug/swift-r2d)  BENCH_WORK (/tmp/swift-r2d-bench-repro)
#        BENCH_TIME (the commit time, 1700000000)  BENCH_OUT (markdown copy of the report)
#        BENCH_KEEP=1 keeps BENCH_WORK (the saved images, to rerun reproducible-id-compare.py on them)
# Needs swift-r2d/test-base:bookworm and swift-r2d/dind:trixie in the host dockerd (make deps). Removes its
# containers, volumes and work directory at the end; the host dockerd's images are left alone.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
swift_r2d=${SWIFT_R2D:-$root/.build/debug/swift-r2d}
work=${BENCH_WORK:-/tmp/swift-r2d-bench-repro}
commit_time=${BENCH_TIME:-1700000000}
base_image=swift-r2d/test-base:bookworm
dind_image=swift-r2d/dind:trixie
fixtures=("$@")
((${#fixtures[@]})) || fixtures=(dockerfile/simple dockerfile/buildkit-syntax)
daemons=(repro-a repro-b)

rm -rf "$work"
[[ -x "$swift_r2d" ]] || { echo "reproducible-id: $swift_r2d missing; swift build first or set SWIFT_R2D" >&2; exit 1; }
for image in "$base_image" "$dind_image"; do
  docker image inspect "$image" >/dev/null 2>&1 || { echo "reproducible-id: $image missing; run make deps" >&2; exit 1; }
done

socket_of() { echo "/run/swift-r2d-dind/$1/docker.sock"; }

cleanup() {
  for d in "${daemons[@]}"; do
    docker rm -f "swift-r2d-dind-$d" >/dev/null 2>&1 || true
    docker volume rm "swift-r2d-dind-$d" >/dev/null 2>&1 || true
    rm -rf "/run/swift-r2d-dind/$d"
  done
  [[ -n "${BENCH_KEEP:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

# A fresh daemon: the start-dind.sh recipe with a new, empty /var/lib/docker volume.
start_fresh() {
  local d=$1 socket
  socket=$(socket_of "$d")
  docker rm -f "swift-r2d-dind-$d" >/dev/null 2>&1 || true
  docker volume rm "swift-r2d-dind-$d" >/dev/null 2>&1 || true
  mkdir -p "/run/swift-r2d-dind/$d"
  rm -f "$socket"
  docker run -d --name "swift-r2d-dind-$d" --network host --cap-add ALL --cap-drop SYS_RESOURCE \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined --cgroupns host \
    -v /sys/fs/cgroup:/sys/fs/cgroup:rw -v "/run/swift-r2d-dind/$d:/sock" -v "swift-r2d-dind-$d:/var/lib/docker" \
    --tmpfs /run "$dind_image" \
    dockerd --host unix:///sock/docker.sock --iptables=false --ip6tables=false --bridge=none >/dev/null
  for _ in $(seq 1 120); do
    [[ "$(curl -fsS --max-time 3 --unix-socket "$socket" http://d/_ping 2>/dev/null)" == OK ]] && break
    sleep 0.5
  done
  [[ "$(curl -fsS --max-time 3 --unix-socket "$socket" http://d/_ping 2>/dev/null)" == OK ]] ||
    { echo "reproducible-id: $d did not answer; docker logs swift-r2d-dind-$d" >&2; exit 1; }
  docker save "$base_image" | curl -fsS --unix-socket "$socket" -X POST -H 'Content-Type: application/x-tar' --data-binary @- \
    'http://d/images/load?quiet=1' >/dev/null
}

# A git repository of the fixture whose commit is the same on every machine (fixed names and dates).
make_repo() {
  local fixture=$1 repo=$2
  mkdir -p "$repo"
  cp -a "$root/Fixtures/$fixture/." "$repo/"
  export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=bench
  export GIT_COMMITTER_EMAIL=bench@example.invalid GIT_AUTHOR_DATE="@$commit_time +0000" GIT_COMMITTER_DATE="@$commit_time +0000"
  git -C "$repo" init -q -b main
  git -C "$repo" add -A
  git -C "$repo" commit -q -m "fixture $fixture"
  git -C "$repo" rev-parse HEAD
}

mkdir -p "$work"
report=$work/report.md
for d in "${daemons[@]}"; do start_fresh "$d"; done
version=$(curl -fsS --unix-socket "$(socket_of "${daemons[0]}")" http://d/version |
  python3 -c 'import json, sys; v = json.load(sys.stdin); print(v["Version"], "API", v["ApiVersion"])')
{
  echo "## Reproducible image IDs: BuildKit on two fresh Docker daemons"
  echo
  echo "Docker $version, overlay2, each daemon new (empty volume, only $base_image loaded); commit time"
  echo "$commit_time; $(date -u +%Y-%m-%dT%H:%MZ). A = ${daemons[0]}, B = ${daemons[1]}."
} >"$report"

for fixture in "${fixtures[@]}"; do
  repo=$work/repos/${fixture//\//-}
  sha=$(make_repo "$fixture" "$repo")
  image=swift-r2d-bench-repro:$sha
  generated=()
  [[ "$fixture" == dockerfile/* ]] || generated=(--base-image "$base_image" --default-python-version 3.11)
  for d in "${daemons[@]}"; do
    log=$work/${fixture//\//-}-$d.log
    if ! DOCKER_HOST="unix://$(socket_of "$d")" "$swift_r2d" --user-id=1000 --user-name=jovyan --network=host \
      "${generated[@]}" --build-backend buildkit --no-run --image-name "$image" "$repo" >"$log" 2>&1; then
      echo "reproducible-id: the build of $fixture on $d failed; last lines of $log:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
    curl -fsS --unix-socket "$(socket_of "$d")" "http://d/images/get?names=$image" -o "$work/${fixture//\//-}-$d.tar"
  done
  python3 "$here/reproducible-id-compare.py" "$fixture" "$sha" "$work/${fixture//\//-}-${daemons[0]}.tar" \
    "$work/${fixture//\//-}-${daemons[1]}.tar" >>"$report"
done

cat "$report"
[[ -z "${BENCH_OUT:-}" ]] || cp "$report" "$BENCH_OUT"
