#!/usr/bin/env bash
# Issue 15's bench: BuildKit against the classic builder, side by side in one run, on the host dockerd.
#
#   1. Requirements edit: a pip-style repository (numpy, pandas, matplotlib, scipy) is built once with each
#      builder (untimed), then one small package is added to requirements.txt (a new commit) and the rebuild is
#      timed. Classic reinstalls every package from the network (its layers cannot keep a download cache);
#      BuildKit's generated Dockerfile mounts the uv cache, so the packages come from it. Goal ≤ 0.5.
#   2. Cold build of that repository: every bench image removed, `docker builder prune -af` (BuildKit's cache,
#      download caches included), and the build starts from a base image with a fresh nonce LABEL, so no layer
#      of the classic builder's cache (any image's parent chain) applies either. Goal ≤ 0.85.
#   3. The floor of 2: the installs alone in containers of the base image, no caches: apt the packages the
#      generated Dockerfile installs, uv the Jupyter lock and the four packages into an empty venv.
#      Goal: cold BuildKit ≤ 1.15 × floor.
#   4. (BENCH_LARGE=1) The issue-2 bench's big repository (20,002 files, a Dockerfile `COPY . /srv/repo`):
#      swift-r2d with BuildKit against `DOCKER_BUILDKIT=0 docker build` of the same directory. Goal ≤ 0.8.
#
# Usage: bench/buildkit.sh          (as root, dockerd on /var/run/docker.sock, PyPI reachable)
#   env: BENCH_RUNS (1: rounds of 1 and 2, order swapped every round)  BENCH_WORK (/tmp/swift-r2d-bench-buildkit)
#        BENCH_OUT (markdown copy)  BENCH_LOGS (a directory to keep the build logs in)  BENCH_LARGE (0)  BENCH_REPO (the big repository; made when absent, ~4 min)
#        SWIFT_R2D (default: HEAD built as bench/generated-env.sh builds it, in .build-bench)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work=${BENCH_WORK:-/tmp/swift-r2d-bench-buildkit}
runs=${BENCH_RUNS:-1}
swift_r2d=${SWIFT_R2D:-$root/.build-bench/release/swift-r2d}
src_dir=${BENCH_SRC:-/tmp/swift-r2d-bench-src}
base_image=swift-r2d/test-base:bookworm
cold_base=bench-bk-base:cold
python_version=3.11
lock=$root/Buildpacks/python/locks/jupyter-py$python_version.lock
packages="numpy pandas matplotlib scipy"
large=${BENCH_REPO:-/tmp/swift-r2d-bench/repo}
repo=$work/repo
logs=$work/logs

say() { echo "buildkit-bench: $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.3f", a / b; else print "n/a" }'; }
median() { tr ' ' '\n' | awk '/^[0-9.]+$/' | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

bench_images() { docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^bench-bk(-base)?[-:]' || true; }
cleanup() {
  [[ -z ${BENCH_LOGS:-} || ! -d $logs ]] || { mkdir -p "$BENCH_LOGS" && cp -r "$logs/." "$BENCH_LOGS/"; }
  # shellcheck disable=SC2046
  docker rmi -f $(bench_images) >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- prerequisites -------------------------------------------------------------------------------
docker info >/dev/null 2>&1 || { say "dockerd does not answer; run scripts/start-dockerd.sh"; exit 1; }
docker image inspect "$base_image" >/dev/null 2>&1 || "$root/scripts/make-base-image.sh" "$base_image"
if [[ -z ${SWIFT_R2D:-} ]]; then
  head=$(git -C "$root" rev-parse HEAD)
  if [[ $(cat "$src_dir/.bench-commit" 2>/dev/null) != "$head" ]]; then
    rm -rf "$src_dir" && mkdir -p "$src_dir"
    git -C "$root" archive "$head" | tar -x -C "$src_dir"
    echo "$head" > "$src_dir/.bench-commit"
  fi
  (cd "$src_dir" && nice "$root/scripts/release-build.sh" \
    --scratch-path "$root/.build-bench" --product swift-r2d >&2)
fi
[[ -x $swift_r2d ]] || { say "no swift-r2d binary at $swift_r2d"; exit 1; }

# --- the repository ------------------------------------------------------------------------------
rm -rf "$work" && mkdir -p "$repo" "$logs"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=bench \
  GIT_COMMITTER_EMAIL=bench@example.invalid GIT_AUTHOR_DATE=2025-01-01T00:00:00Z \
  GIT_COMMITTER_DATE=2025-01-01T00:00:00Z
reset_repo() { # the repository at its first commit, on a fresh branch each time
  rm -rf "$repo" && mkdir -p "$repo"
  printf '%s\n' $packages > "$repo/requirements.txt"
  printf 'print("bench")\n' > "$repo/analysis.py"
  git -C "$repo" init -q -b main && git -C "$repo" add -A && git -C "$repo" commit -q -m "bench repository"
}

build() { # $1: backend, $2: image name, $3: log file, $4: base image; prints the wall time in seconds
  local start end rc=0
  start=$(now)
  "$swift_r2d" build --no-run --build-backend "$1" --base-image "$4" --default-python-version "$python_version" \
    --network host --user-id 1000 --user-name jovyan --image-name "$2" "$repo" > "$3" 2>&1 || rc=$?
  end=$(now)
  if ((rc != 0)); then say "build of $2 with $1 failed ($rc): $(tail -1 "$3")"; echo failed; return; fi
  elapsed "$start" "$end"
}

fresh_cold_base() { # a base image no cache entry descends from
  docker rmi -f "$cold_base" >/dev/null 2>&1 || true
  printf 'FROM %s\nLABEL swift-r2d.bench.nonce=%s\n' "$base_image" "$(date +%s%N)-$$" |
    DOCKER_BUILDKIT=0 docker build -q -t "$cold_base" - >/dev/null
}

declare -A edit cold
for backend in classic buildkit; do edit[$backend]=""; cold[$backend]=""; done

# --- 1 and 2, BENCH_RUNS rounds ------------------------------------------------------------------
for ((round = 1; round <= runs; round++)); do
  order=(classic buildkit); ((round % 2 == 0)) && order=(buildkit classic)
  for backend in "${order[@]}"; do
    # shellcheck disable=SC2046
    docker rmi -f $(bench_images) >/dev/null 2>&1 || true
    docker builder prune -af >/dev/null
    fresh_cold_base
    reset_repo
    say "round $round $backend: cold build (load $(loadavg))"
    t=$(build "$backend" "bench-bk-$backend:1" "$logs/$round-$backend-cold.log" "$cold_base")
    cold[$backend]+="$t "
    echo tabulate >> "$repo/requirements.txt"
    git -C "$repo" commit -q -am "add one small package"
    say "round $round $backend: rebuild after the requirements.txt edit (load $(loadavg))"
    t=$(build "$backend" "bench-bk-$backend:2" "$logs/$round-$backend-edit.log" "$cold_base")
    edit[$backend]+="$t "
  done
done

# --- 3. the floor: the installs alone ------------------------------------------------------------
apt_packages=$(grep -ho 'install --yes --no-install-recommends [^>]*' "$logs"/1-classic-cold.log 2>/dev/null |
  sed 's/.*recommends //' | tr -s ' \n' ' ' || true)
[[ -n $apt_packages ]] || apt_packages="locales gettext-base less unzip"
timed() { # $1: image, $2: command; prints seconds or "fail"
  local out
  out=$(docker run --rm --network host -v "$lock:/tmp/jupyter.lock:ro" "$1" bash -c \
    "TIMEFORMAT='TIME %R'; { time { $2 ; } >/tmp/out.log 2>&1 ; } 2>&1 || { echo FAIL; tail -3 /tmp/out.log; }" 2>&1) || true
  if [[ $out == *FAIL* || $out != *TIME* ]]; then say "failed: $2: $(echo "$out" | tail -4 | tr '\n' ' ')"; echo fail; return; fi
  echo "$out" | awk '/^TIME/ { printf "%.1f", $2 }'
}
say "floor: apt $apt_packages"
t_apt=$(timed "$base_image" "apt-get -qq update && apt-get -qq install --yes --no-install-recommends $apt_packages")
# The last round's first image (each round removes the images of the one before); it has uv installed.
uv_image=bench-bk-${order[-1]}:1
t_uv=$(timed "$uv_image" "export UV_NO_CACHE=1; uv venv -q --python $python_version /tmp/a && \
  uv pip install -q --python /tmp/a --require-hashes --no-deps -r /tmp/jupyter.lock && \
  uv pip install -q --python /tmp/a $packages")
floor=$(awk -v a="$t_apt" -v b="$t_uv" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f", a + b; else print "n/a" }')

# --- 4. the big repository -----------------------------------------------------------------------
large_row=""
if [[ ${BENCH_LARGE:-0} == 1 ]]; then
  [[ -d $large/.git ]] || "$here/make-large-repo.sh" "$large"
  docker builder prune -af >/dev/null
  start=$(now)
  DOCKER_BUILDKIT=0 docker build -q -t bench-bk-docker:large "$large" > "$logs/large-docker.log" 2>&1
  t_docker=$(elapsed "$start" "$(now)")
  docker builder prune -af >/dev/null
  start=$(now)
  "$swift_r2d" build --no-run --build-backend buildkit --network host --user-id 1000 --user-name jovyan \
    --image-name bench-bk-r2d:large "$large" > "$logs/large-r2d.log" 2>&1
  t_r2d=$(elapsed "$start" "$(now)")
  large_row="| Big repository (20,002 files, \`COPY . /srv/repo\`) | ${t_r2d} s | \`docker build\` (classic): ${t_docker} s | **$(ratio "$t_r2d" "$t_docker")** | ≤ 0.8 |"
fi

ce=$(echo "${edit[classic]}" | median); be=$(echo "${edit[buildkit]}" | median)
cc=$(echo "${cold[classic]}" | median); bc=$(echo "${cold[buildkit]}" | median)
steps() { grep -cE '^(Step [0-9]+/|#[0-9]+ \[)' "$1" 2>/dev/null || echo n/a; }
report=$(cat <<EOF
swift-r2d: $(git -C "$root" rev-parse --short HEAD) · $(date -u +%FT%TZ) · dockerd $(docker version -f '{{.Server.Version}}') · rounds: $runs · load at the end: $(loadavg)

| Case | BuildKit | classic | BuildKit / classic | Goal |
|---|---|---|---|---|
| Rebuild after adding one package to requirements.txt | ${be} s (${edit[buildkit]% }) | ${ce} s (${edit[classic]% }) | **$(ratio "$be" "$ce")** | ≤ 0.5 |
| Cold build, $packages | ${bc} s (${cold[buildkit]% }) | ${cc} s (${cold[classic]% }) | **$(ratio "$bc" "$cc")** | ≤ 0.85 |
| Cold BuildKit against the floor (apt ${t_apt} s + uv ${t_uv} s = ${floor} s) | ${bc} s | | **$(ratio "$bc" "$floor")** × floor | ≤ 1.15 |
$large_row

Steps in the cold build: classic $(steps "$logs/1-classic-cold.log"), BuildKit $(steps "$logs/1-buildkit-cold.log").
EOF
)
echo "$report"
if [[ -n ${BENCH_OUT:-} ]]; then echo "$report" > "$BENCH_OUT"; fi
