#!/usr/bin/env bash
# uv.lock bench: one repository whose environment is a uv.lock (pyproject.toml + uv.lock + a notebook) and one
# with the same pinned versions as requirements.txt (exported from that lock), built side by side in one run:
# a cold build of each, then the rebuild after a commit that edits only the notebook. Prints a markdown table.
#
# Cold means no layer and no download cache: each repository's builds start from its own fresh base image
# (the test base plus a LABEL with a nonce, an image ID nothing else descends from), and the classic builder
# (--build-backend classic) renders UV_NO_CACHE, so nothing comes from BuildKit's shared cache mounts either.
# No builder cache is pruned (the daemon is shared).
#
# Usage: SWIFT_R2D=/tmp/swift-r2d bench/uv-lock.sh   (as root, dockerd on /var/run/docker.sock, PyPI reachable,
#        uv on the PATH to write the lock: `pip install uv`)
#   env: BENCH_WORK (/tmp/swift-r2d-bench-uv)  BENCH_OUT (markdown copy of the report)  BENCH_LOGS (keep the build logs there)
#        BENCH_PACKAGES ("numpy==2.1.3 pandas==2.2.3 tabulate==0.9.0")  BENCH_BACKEND (classic)
#        BENCH_ORDER ("lock req": which repository builds first, cold and then rebuilt)
# Idempotent: removes its images before and after and deletes BENCH_WORK at the end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work=${BENCH_WORK:-/tmp/swift-r2d-bench-uv}
swift_r2d=${SWIFT_R2D:?set SWIFT_R2D to a swift-r2d binary outside a .build directory others rebuild}
packages=${BENCH_PACKAGES:-numpy==2.1.3 pandas==2.2.3 tabulate==0.9.0}
backend=${BENCH_BACKEND:-classic}
base_image=swift-r2d/test-base:bookworm
python_version=3.11
nonce="$(date +%s%N)-$$"
images=(bench-uv-lock:1 bench-uv-lock:2 bench-uv-req:1 bench-uv-req:2 "bench-uv-base-lock:$nonce" "bench-uv-base-req:$nonce")

say() { echo "uv-lock: $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.3f", b / a; else print "n/a" }'; }

cleanup() {
  docker rmi -f "${images[@]}" >/dev/null 2>&1 || true
  if [[ -n ${BENCH_LOGS:-} && -d $work/logs ]]; then mkdir -p "$BENCH_LOGS" && cp "$work"/logs/*.log "$BENCH_LOGS/"; fi
  rm -rf "$work"
}
trap cleanup EXIT

docker info >/dev/null 2>&1 || { say "dockerd does not answer; run scripts/start-dockerd.sh"; exit 1; }
docker image inspect "$base_image" >/dev/null 2>&1 || "$root/scripts/make-base-image.sh" "$base_image"
[[ -x $swift_r2d ]] || { say "no swift-r2d binary at $swift_r2d"; exit 1; }
command -v uv >/dev/null || { say "uv is needed to write the lock (pip install uv)"; exit 1; }

# --- the two repositories ----------------------------------------------------------------------------
rm -rf "$work" && mkdir -p "$work/lock" "$work/req" "$work/logs"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=bench \
  GIT_COMMITTER_EMAIL=bench@example.invalid GIT_AUTHOR_DATE=2025-01-01T00:00:00Z GIT_COMMITTER_DATE=2025-01-01T00:00:00Z
deps=$(printf '"%s", ' $packages)
cat > "$work/lock/pyproject.toml" <<EOF
[project]
name = "bench-uv"
version = "0.1.0"
requires-python = ">=$python_version"
dependencies = [${deps%, }]
EOF
(cd "$work/lock" && uv lock --quiet --python "$python_version" 2>&1 | grep -v '^$' >&2 || true)
[[ -f $work/lock/uv.lock ]] || { say "uv lock failed"; exit 1; }
# The same versions, every locked package pinned, as a requirements.txt.
(cd "$work/lock" && uv export --quiet --locked --no-hashes --no-header --no-emit-project --format requirements-txt) \
  | grep -v '^ *#' > "$work/req/requirements.txt"
write_notebook() { # $1: repository, $2: text printed by the code cell
  cat > "$1/analysis.ipynb" <<EOF
{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
  "source": ["import numpy, pandas\n", "print('$2', pandas.__version__)"]}],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4, "nbformat_minor": 5}
EOF
}
for kind in lock req; do
  write_notebook "$work/$kind" "first version"
  git -C "$work/$kind" init -q -b main && git -C "$work/$kind" add -A && git -C "$work/$kind" commit -q -m "bench repository"
  printf 'FROM %s\nLABEL swift-r2d.bench.nonce=%s-%s\n' "$base_image" "$nonce" "$kind" |
    DOCKER_BUILDKIT=0 docker build -q -t "bench-uv-base-$kind:$nonce" - >/dev/null
done

build() { # $1: lock|req, $2: image, $3: log; prints the wall time in seconds
  local start end rc=0
  start=$(now)
  "$swift_r2d" build --no-run --build-backend "$backend" --base-image "bench-uv-base-$1:$nonce" \
    --default-python-version "$python_version" --network host --user-id 1000 --user-name jovyan \
    --image-name "$2" "$work/$1" > "$3" 2>&1 || rc=$?
  end=$(now)
  if ((rc != 0)); then say "build of $2 failed ($rc): $(tail -1 "$3")"; echo "failed"; return; fi
  elapsed "$start" "$end"
}
# The classic builder's "Step N/M" lines (each counted once), and those answered by "Using cache".
steps() { grep -oE '^Step [0-9]+/[0-9]+' "$1" | sort -u | wc -l; }
cached() { grep -A1 -E '^Step [0-9]+/[0-9]+' "$1" | grep -c -- '---> Using cache' || true; }

# uv's own timings of the repository's install (the last Resolved/Prepared/Installed lines of the build, after
# the Jupyter stack's), summed: the pathway's work without the shared layers and the daemon's overhead.
uv_step() {
  sed 's/\x1b\[[0-9;]*m//g' "$1" | grep -E '^(Resolved|Prepared|Installed|Uninstalled) [0-9]+ packages? in ' |
    awk '/^Resolved/ { r = $NF } /^Prepared/ { p = $NF } /^Installed/ { i = $NF } /^Uninstalled/ { u = $NF }
      function sec(x) { if (x ~ /ms$/) return substr(x, 1, length(x) - 2) / 1000; if (x ~ /s$/) return substr(x, 1, length(x) - 1); return 0 }
      END { printf "%.2f", sec(r) + sec(p) + sec(i) + sec(u) }'
}

order=${BENCH_ORDER:-lock req}
declare -A t hits total load uv
for kind in $order; do
  load[$kind-cold]=$(loadavg); say "cold build, $kind (load ${load[$kind-cold]})"
  t[$kind-cold]=$(build "$kind" "bench-uv-$kind:1" "$work/logs/$kind-cold.log")
  uv[$kind]=$(uv_step "$work/logs/$kind-cold.log")
done
for kind in $order; do
  write_notebook "$work/$kind" "second version"
  git -C "$work/$kind" commit -q -am "edit the notebook only"
  load[$kind-code]=$(loadavg); say "code-only rebuild, $kind (load ${load[$kind-code]})"
  t[$kind-code]=$(build "$kind" "bench-uv-$kind:2" "$work/logs/$kind-code.log")
  hits[$kind]=$(cached "$work/logs/$kind-code.log"); total[$kind]=$(steps "$work/logs/$kind-code.log")
done
locked=$(docker run --rm bench-uv-lock:1 python -c 'import numpy, pandas; print("numpy", numpy.__version__, "pandas", pandas.__version__)' 2>&1 | tail -1)
required=$(docker run --rm bench-uv-req:1 python -c 'import numpy, pandas; print("numpy", numpy.__version__, "pandas", pandas.__version__)' 2>&1 | tail -1)

report=$(cat <<EOF
swift-r2d: $swift_r2d · date: $(date -u +%FT%TZ) · backend: $backend · packages: \`$packages\` ($(grep -c '==' "$work/req/requirements.txt") pinned with dependencies)

| Repository | Cold build | its install step (uv's timings) | Code-only rebuild | Rebuild / cold | Rebuild steps from cache | Versions in the image |
|---|---|---|---|---|---|---|
| \`uv.lock\` (pyproject.toml + uv.lock) | **${t[lock-cold]} s** (load ${load[lock-cold]}) | ${uv[lock]} s | **${t[lock-code]} s** (load ${load[lock-code]}) | $(ratio "${t[lock-cold]}" "${t[lock-code]}") | ${hits[lock]} of ${total[lock]} | $locked |
| \`requirements.txt\` (same pins) | **${t[req-cold]} s** (load ${load[req-cold]}) | ${uv[req]} s | **${t[req-code]} s** (load ${load[req-code]}) | $(ratio "${t[req-cold]}" "${t[req-code]}") | ${hits[req]} of ${total[req]} | $required |
| uv.lock / requirements.txt | $(ratio "${t[req-cold]}" "${t[lock-cold]}") | $(ratio "${uv[req]}" "${uv[lock]}") | $(ratio "${t[req-code]}" "${t[lock-code]}") | | | |
EOF
)
echo "$report"
if [[ -n ${BENCH_OUT:-} ]]; then echo "$report" > "$BENCH_OUT"; fi
