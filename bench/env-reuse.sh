#!/usr/bin/env bash
# Environment reuse bench (issue 17): a content-only commit built on a fresh node against the first build, with
# BinderHub's command line, side by side in one run. Prints a markdown table.
#
# Each build runs on its own fresh Docker 26 node (swift-r2d/dind:trixie in a container of the host dockerd, as
# scripts/start-dind.sh starts them: host network, --bridge=none, own socket directory), with the test base image
# loaded and nothing else; the registry is a loopback docker-registry (plain HTTP, which Docker allows on
# 127.0.0.1). The repository is a requirements.txt (tabulate) and a notebook.
#   first    commit 1, --push: builds the environment and the image, pushes both
#   content  commit 2 (notebook edit), --push, on a fresh node: composes the image in the registry (the steps after
#            the environment written as layers here, the environment never pulled)
#   pulled   commit 2 again on a fresh node with --no-registry-compose: pulls the environment, builds what follows it
#   rebuild  commit 2 again on a fresh node with --no-env-cache (what repo2docker does): builds everything
# Bytes pushed = growth of the registry's storage directory during the build; bytes pulled = the compressed
# sizes of the layers the node did not have (the environment image's manifest minus the base image's layers).
#
# Usage: bench/env-reuse.sh   (as root; needs swift-r2d/dind:trixie and swift-r2d/test-base:bookworm)
#   env: SWIFT_R2D (default .build/debug/swift-r2d)  BENCH_WORK (/tmp/swift-r2d-bench-envreuse)  BENCH_OUT (copy)
#        BENCH_LOGS (a directory to keep each build's log in, every line prefixed with its second)
#        BENCH_BACKEND (auto: BuildKit on these nodes, since the builds pass --network=host; or classic)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
swift_r2d=${SWIFT_R2D:-$root/.build/debug/swift-r2d}
work=${BENCH_WORK:-/tmp/swift-r2d-bench-envreuse}
base_image=swift-r2d/test-base:bookworm
backend=${BENCH_BACKEND:-auto}
dind_image=swift-r2d/dind:trixie
suffix=$RANDOM$RANDOM
nodes=()
registry_pid=""

say() { echo "env-reuse: $*" >&2; }

cleanup() {
  for node in "${nodes[@]}"; do
    docker rm -f -v "$node" >/dev/null 2>&1 || true
    docker volume rm -f "$node" >/dev/null 2>&1 || true
    rm -rf "/run/$node"
  done
  [[ -n "$registry_pid" ]] && kill "$registry_pid" 2>/dev/null || true
  if [[ -n "${BENCH_LOGS:-}" ]]; then mkdir -p "$BENCH_LOGS" && cp "$work"/*.log "$BENCH_LOGS"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# start_node NAME: a fresh daemon with only the base image, its socket /run/<node>/docker.sock. Called in a
# subshell ($(...)), so the parent lists the node names itself (node_name) for the cleanup.
node_name() { echo "swift-r2d-bench-envreuse-$1-$suffix"; }
start_node() {
  local node
  node=$(node_name "$1")
  mkdir -p "/run/$node"
  docker run -d --name "$node" --network host --cap-add ALL --cap-drop SYS_RESOURCE \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined --cgroupns host \
    -v /sys/fs/cgroup:/sys/fs/cgroup:rw -v "/run/$node:/sock" -v "$node:/var/lib/docker" --tmpfs /run \
    "$dind_image" dockerd --host unix:///sock/docker.sock --iptables=false --ip6tables=false --bridge=none >/dev/null
  for ((i = 0; i < 120; i++)); do
    [[ "$(curl -fsS --max-time 3 --unix-socket "/run/$node/docker.sock" http://d/_ping 2>/dev/null)" == OK ]] && break
    sleep 0.5
  done
  docker save "$base_image" | curl -fsS --unix-socket "/run/$node/docker.sock" -X POST \
    -H 'Content-Type: application/x-tar' --data-binary @- 'http://d/images/load?quiet=1' >/dev/null
  echo "/run/$node/docker.sock"
}

start_registry() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$work/registry"
  cat >"$work/registry/config.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry/data
http:
  addr: 127.0.0.1:$port
EOF
  docker-registry serve "$work/registry/config.yml" >/dev/null 2>&1 &
  registry_pid=$!
  for ((i = 0; i < 50; i++)); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && return 0; sleep 0.1; done
  say "docker-registry did not start"
  exit 1
}

make_repository() {
  repo=$work/repo
  mkdir -p "$repo"
  git -C "$repo" init -q
  printf 'tabulate==0.10.0\n' >"$repo/requirements.txt"
  printf '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n' >"$repo/index.ipynb"
  git -C "$repo" add -A && git -C "$repo" -c user.name=b -c user.email=b@e commit -qm one
  first=$(git -C "$repo" rev-parse HEAD)
  printf '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["x"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n' \
    >"$repo/index.ipynb"
  git -C "$repo" -c user.name=b -c user.email=b@e commit -qam two
  second=$(git -C "$repo" rev-parse HEAD)
}

registry_bytes() { du -sb "$work/registry/data" 2>/dev/null | cut -f1 || echo 0; }

# build LABEL SOCKET SHA TAG EXTRA...: BinderHub's command line; prints "seconds pushed_bytes".
build() {
  local label=$1 socket=$2 sha=$3 tag=$4
  shift 4
  local before after started ended
  before=$(registry_bytes)
  started=$(date +%s.%N)
  DOCKER_HOST=unix://$socket HOME=/nonexistent DOCKER_CONFIG= "$swift_r2d" --ref="$sha" \
    --image="127.0.0.1:$port/bench/envreuse:$tag" --no-clean --no-run --json-logs --user-name=jovyan --user-id=1000 \
    --push --base-image=$base_image --default-python-version=3.11 --network=host --build-backend="$backend" "$@" "file://$repo" 2>&1 |
    python3 -u -c 'import sys,time; t=time.time(); [print(f"{time.time()-t:7.2f} {l}", end="") for l in sys.stdin]' >"$work/$label.log" ||
    { say "$label failed:"; tail -5 "$work/$label.log" >&2; exit 1; }
  ended=$(date +%s.%N)
  after=$(registry_bytes)
  grep -o '"message":"Environment reuse: [^"]*' "$work/$label.log" | sed 's/"message":/  /' >&2 || true
  echo "$(python3 -c "print(f'{$ended - $started:.1f}')") $((after - before))"
}

# pulled_bytes SOCKET TAG LOG: compressed bytes of the environment's layers beyond the base image's; 0 when the
# log says the image was composed in the registry (nothing pulled).
pulled_bytes() {
  if grep -q 'in the registry (nothing to pull or run)' "$3"; then echo 0; return; fi
  local base_layers
  base_layers=$(curl -fsS --unix-socket "$1" "http://d/images/$(printf %s "$base_image" | sed 's,/,%2F,g')/json" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["RootFS"]["Layers"]))')
  curl -fsS -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://127.0.0.1:$port/v2/bench/envreuse/manifests/$2" |
    python3 -c "import json,sys; m=json.load(sys.stdin); print(sum(l['size'] for l in m['layers'][$base_layers:]))"
}

[[ -x "$swift_r2d" ]] || { say "no swift-r2d at $swift_r2d (swift build first, or set SWIFT_R2D)"; exit 1; }
rm -rf "$work" && mkdir -p "$work"
start_registry
make_repository
say "registry 127.0.0.1:$port; commits $first $second"

nodes=("$(node_name a)" "$(node_name b)" "$(node_name c)" "$(node_name d)")
node_a=$(start_node a)
read -r first_s first_pushed < <(build first "$node_a" "$first" "$first")
env_tag=$(grep -o 'r2d-env-[0-9a-f]\{64\}' "$work/first.log" | head -1)
node_b=$(start_node b)
read -r content_s content_pushed < <(build content "$node_b" "$second" "$second")
content_pulled=$(pulled_bytes "$node_b" "$env_tag" "$work/content.log")
grep -q 'uv pip install' "$work/content.log" && { say "the content-only build installed packages"; exit 1; }
node_d=$(start_node d)
read -r pulled_s pulled_pushed < <(build pulled "$node_d" "$second" "pulled-$second" --no-registry-compose)
pulled_pulled=$(pulled_bytes "$node_d" "$env_tag" "$work/pulled.log")
node_c=$(start_node c)
read -r rebuild_s rebuild_pushed < <(build rebuild "$node_c" "$second" "rebuild-$second" --no-env-cache)

ratio=$(python3 -c "print(f'{$content_s / $first_s:.2f}')")
pulled_ratio=$(python3 -c "print(f'{$pulled_s / $first_s:.2f}')")
table=$(
  cat <<EOF
| build (fresh Docker 26 node each, BinderHub's command line + --push, backend $backend) | wall s | bytes pushed | bytes pulled |
|---|---:|---:|---:|
| first build: commit 1, environment built and stored | $first_s | $first_pushed | 0 |
| content-only commit 2, environment reused, composed in the registry | $content_s | $content_pushed | $content_pulled |
| content-only commit 2, environment reused, --no-registry-compose (pulled, built on the node) | $pulled_s | $pulled_pushed | $pulled_pulled |
| content-only commit 2, --no-env-cache (repo2docker's behaviour) | $rebuild_s | $rebuild_pushed | 0 |

content-only / first = **$ratio** (goal ≤ 0.35; $pulled_ratio with --no-registry-compose); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)
EOF
)
echo "$table"
if [[ -n "${BENCH_OUT:-}" ]]; then echo "$table" >"$BENCH_OUT"; fi
