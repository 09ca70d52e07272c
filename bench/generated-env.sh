#!/usr/bin/env bash
# Generated-environment bench: a pip-style repository (requirements.txt with numpy, pandas, matplotlib,
# scipy + a notebook) built by swift-r2d, in one run. Prints a markdown table.
#
# Measures
#   1. cold build (bench images removed, `docker builder prune -af`) and the rebuild after editing only
#      the notebook (new commit, new image name): wall time of each and the ratio rebuild / cold.
#      The classic builder's cache is the parent chain of any image on the daemon, so images left by the
#      tests (same base, same Jupyter lock) would make a "cold" build reuse the whole Jupyter stack. The
#      builds therefore start from `bench-env-base:cold`: the base image plus one LABEL with a fresh nonce,
#      a new image ID no other image descends from. Both builds' "Using cache" step counts are reported.
#   2. environment creation in a container of the built image, uv against pip, no caches
#      (the image sets UV_NO_CACHE=1, PIP_NO_CACHE_DIR=1): the scientific stack
#      (`uv venv` + `uv pip install` vs `python3 -m venv` + `pip install`) and the pinned Jupyter-stack lock
#      (--require-hashes --no-deps, the lock bind-mounted from Buildpacks/python/locks). BENCH_RUNS rounds
#      (default 3), uv and pip alternating (order swapped every round), median and all runs.
#   3. size of the built image (docker image inspect .Size) next to the base image's.
#
# Usage: bench/generated-env.sh                (as root, dockerd on /var/run/docker.sock, PyPI reachable)
#   env: BENCH_RUNS (3)  BENCH_WORK (/tmp/swift-r2d-bench-env)  BENCH_OUT (markdown copy of the report)
#        SWIFT_R2D (default: HEAD built from a `git archive` in BENCH_SRC=/tmp/swift-r2d-bench-src with
#        --scratch-path .build-bench, shared with bench/build-pipeline.sh)
# Idempotent: removes its images before and after and deletes BENCH_WORK at the end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work=${BENCH_WORK:-/tmp/swift-r2d-bench-env}
runs=${BENCH_RUNS:-3}
swift_r2d=${SWIFT_R2D:-$root/.build-bench/release/swift-r2d}
src_dir=${BENCH_SRC:-/tmp/swift-r2d-bench-src}
base_image=swift-r2d/test-base:bookworm
python_version=3.11
lock=$root/Buildpacks/python/locks/jupyter-py$python_version.lock
packages="numpy pandas matplotlib scipy"
repo=$work/repo
logs=$work/logs
images=(bench-env:1 bench-env:2 bench-env-base:cold)
cold_base=bench-env-base:cold

say() { echo "generated-env: $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
median() { tr ' ' '\n' | awk '/^[0-9.]+$/' | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
human() { awk -v b="$1" 'BEGIN { printf "%.2f GB (%d bytes)", b / 1e9, b }'; }

cleanup() {
  docker rmi -f "${images[@]}" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- prerequisites -------------------------------------------------------------------------------
docker info >/dev/null 2>&1 || { say "dockerd does not answer; run scripts/start-dockerd.sh"; exit 1; }
docker image inspect "$base_image" >/dev/null 2>&1 || "$root/scripts/make-base-image.sh" "$base_image"
[[ -f $lock ]] || { say "missing $lock"; exit 1; }
if [[ -z ${SWIFT_R2D:-} ]]; then
  # Measure the committed HEAD, not a work tree others may be editing (same scheme, source directory
  # and scratch path as bench/build-pipeline.sh, so the two benches share one incremental build).
  head=$(git -C "$root" rev-parse HEAD)
  if [[ $(cat "$src_dir/.bench-commit" 2>/dev/null) != "$head" ]]; then
    rm -rf "$src_dir" && mkdir -p "$src_dir"
    git -C "$root" archive "$head" | tar -x -C "$src_dir"
    [[ -f $root/Package.resolved ]] && cp "$root/Package.resolved" "$src_dir/"
    echo "$head" > "$src_dir/.bench-commit"
  fi
  (cd "$src_dir" && swift build -c release --static-swift-stdlib -Xlinker --no-export-dynamic --scratch-path "$root/.build-bench" >&2)
  swift_r2d_version=$head
else
  swift_r2d_version=$swift_r2d
fi
[[ -x $swift_r2d ]] || { say "no swift-r2d binary at $swift_r2d"; exit 1; }

# --- the repository ------------------------------------------------------------------------------
rm -rf "$work" && mkdir -p "$repo" "$logs"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=bench \
  GIT_COMMITTER_EMAIL=bench@example.invalid GIT_AUTHOR_DATE=2025-01-01T00:00:00Z \
  GIT_COMMITTER_DATE=2025-01-01T00:00:00Z
printf '%s\n' $packages > "$repo/requirements.txt"
write_notebook() { # $1: text printed by the code cell
  cat > "$repo/analysis.ipynb" <<EOF
{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Bench notebook"]},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
   "source": ["import numpy as np, pandas as pd, scipy, matplotlib\n",
              "df = pd.DataFrame({'x': np.arange(10)})\n",
              "print('$1', df.x.sum(), scipy.__version__, matplotlib.__version__)"]}
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
EOF
}
write_notebook "first version"
git -C "$repo" init -q -b main && git -C "$repo" add -A && git -C "$repo" commit -q -m "bench repository"

build() { # $1: image name, $2: log file; prints the wall time in seconds
  local start end rc=0
  start=$(now)
  "$swift_r2d" build --no-run --base-image "$cold_base" --default-python-version "$python_version" \
    --network host --user-id 1000 --user-name jovyan --image-name "$1" "$repo" > "$2" 2>&1 || rc=$?
  end=$(now)
  if ((rc != 0)); then say "build of $1 failed ($rc): $(tail -1 "$2")"; echo "failed"; return; fi
  elapsed "$start" "$end"
}
cache_hits() { grep -c 'Using cache' "$1" || true; }

# --- 1. cold build, then rebuild after a notebook edit -------------------------------------------
docker rmi -f "${images[@]}" >/dev/null 2>&1 || true
docker builder prune -af >/dev/null
printf 'FROM %s\nLABEL swift-r2d.bench.nonce=%s\n' "$base_image" "$(date +%s%N)-$$" |
  DOCKER_BUILDKIT=0 docker build -q -t "$cold_base" - >/dev/null
load_cold=$(loadavg)
say "cold build (load $load_cold)"
t_cold=$(build bench-env:1 "$logs/cold.log")
hits_cold=$(cache_hits "$logs/cold.log")
write_notebook "second version"
git -C "$repo" commit -q -am "edit the notebook only"
load_rebuild=$(loadavg)
say "rebuild after the notebook edit (load $load_rebuild)"
t_rebuild=$(build bench-env:2 "$logs/rebuild.log")
hits_rebuild=$(cache_hits "$logs/rebuild.log")
steps_rebuild=$(grep -c '^Step ' "$logs/rebuild.log" || true)
ratio=$(awk -v a="$t_cold" -v b="$t_rebuild" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.3f", b / a; else print "n/a" }')
docker image inspect bench-env:1 >/dev/null 2>&1 || { say "no image bench-env:1; see the log above"; exit 1; }

# --- 3. sizes ------------------------------------------------------------------------------------
size_env=$(docker image inspect -f '{{.Size}}' bench-env:1)
size_base=$(docker image inspect -f '{{.Size}}' "$base_image")
versions=$(docker run --rm bench-env:1 bash -c \
  'uv --version; python3 --version; python3 -m venv /tmp/v && /tmp/v/bin/pip --version | cut -d" " -f1-2;
   python3 -c "import numpy, pandas, scipy, matplotlib as m; print(\"numpy\", numpy.__version__, \"pandas\", pandas.__version__, \"scipy\", scipy.__version__, \"matplotlib\", m.__version__)"' 2>&1 | paste -sd ';' | sed 's/;/; /g')

# --- 2. uv vs pip in a container of the built image ----------------------------------------------
# Each install runs in a fresh container as the image user; only the command itself is timed (bash's
# `time`), container start-up is not. A failing install is recorded as "fail".
uv_sci="uv venv -q /tmp/a && uv pip install -q --python /tmp/a $packages"
pip_sci="python3 -m venv /tmp/b && /tmp/b/bin/pip install -q $packages"
uv_lock="uv venv -q /tmp/a && uv pip install -q --python /tmp/a --require-hashes --no-deps -r /tmp/jupyter.lock"
pip_lock="python3 -m venv /tmp/b && /tmp/b/bin/pip install -q --require-hashes --no-deps -r /tmp/jupyter.lock"
timed_in_image() { # $1: command; prints seconds or "fail"
  local out
  out=$(docker run --rm --network host -v "$lock:/tmp/jupyter.lock:ro" bench-env:1 bash -c \
    "TIMEFORMAT='TIME %R'; { time { $1 ; } >/tmp/out.log 2>&1 ; } 2>&1 || { echo FAIL; tail -3 /tmp/out.log; }" 2>&1) || true
  if [[ $out == *FAIL* || $out != *TIME* ]]; then
    say "failed: $1: $(echo "$out" | tail -1)"; echo fail
  else
    echo "$out" | awk '/^TIME/ { printf "%.1f", $2 }'
  fi
}
declare -A times
for kind in sci lock; do for tool in uv pip; do times[$tool-$kind]=""; done; done
load_installs_start=$(loadavg)
for ((round = 1; round <= runs; round++)); do
  order=(uv pip); ((round % 2 == 0)) && order=(pip uv)
  for kind in sci lock; do
    for tool in "${order[@]}"; do
      var=${tool}_$kind
      t=$(timed_in_image "${!var}")
      say "round $round $tool $kind: ${t}s (load $(loadavg))"
      times[$tool-$kind]+="$t "
    done
  done
done
load_installs_end=$(loadavg)

row() { # $1: label, $2: tool-kind
  local uvm pipm
  uvm=$(echo "${times[uv-$2]}" | median); pipm=$(echo "${times[pip-$2]}" | median)
  local speedup
  speedup=$(awk -v u="$uvm" -v p="$pipm" 'BEGIN { if (u + 0 > 0 && p + 0 > 0) printf "%.1f×", p / u; else print "n/a" }')
  echo "| $1 | uv: **${uvm} s** (${times[uv-$2]% }) | pip: **${pipm} s** (${times[pip-$2]% }) | pip / uv = $speedup |"
}

report=$(cat <<EOF
swift-r2d: $swift_r2d_version · date: $(date -u +%FT%TZ) · runs: $runs · tools in the image: $versions

| Measurement | Result | Detail | Goal |
|---|---|---|---|
| Cold build (\`bench-env:1\`, from \`$cold_base\`) | **${t_cold} s** | load $load_cold; "Using cache" steps: $hits_cold | — |
| Rebuild after a notebook-only commit (\`bench-env:2\`) | **${t_rebuild} s** | load $load_rebuild; $hits_rebuild of $steps_rebuild steps from cache | — |
| Rebuild / cold | **$ratio** | | < 0.15 |
| Image size \`bench-env:1\` | **$(human "$size_env")** | base \`$base_image\`: $(human "$size_base") | — |

Environment creation in \`bench-env:1\`, no caches (median **bold**, all runs in brackets; load $load_installs_start → $load_installs_end):

| Install | uv | pip | Ratio |
|---|---|---|---|
$(row "\`$packages\` into a new venv" sci)
$(row "Jupyter-stack lock (py$python_version, --require-hashes --no-deps) into a new venv" lock)
EOF
)
echo "$report"
if [[ -n ${BENCH_OUT:-} ]]; then echo "$report" > "$BENCH_OUT"; fi
