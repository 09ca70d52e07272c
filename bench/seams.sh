#!/usr/bin/env bash
# Issue 14's guard: the refactor of the command line and the pipeline must not cost time. Two release binaries,
# before and after, side by side in one run (hyperfine, 30 runs after 3 warm-ups, both commands in one
# invocation), on
#   - render: `--no-build` of a small Python repository (requirements.txt, apt.txt, postBuild),
#   - render-large: `--no-build` of the bench repository of build-pipeline.sh (20,002 files),
#   - no-op rebuild: a build of a clean local checkout whose image already exists (the daemon is asked, the
#     image found, nothing built or run; `--no-run`).
# plus instructions (callgrind) of the render on the small repository.
#
# Usage: bench/seams.sh          BEFORE=97e3c5f (the commit before issue 14), AFTER=HEAD
#   env: BEFORE, AFTER, BENCH_WORK (/tmp/swift-r2d-seams-bench), BENCH_REPO (the large repository; made with
#        make-large-repo.sh when absent: ~4 min; BENCH_LARGE=0 skips that case), BENCH_OUT (markdown copy of the table)
# Needs dockerd on /var/run/docker.sock and swift-r2d/test-base:bookworm (make deps).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work=${BENCH_WORK:-/tmp/swift-r2d-seams-bench}
before=$(git -C "$root" rev-parse "${BEFORE:-97e3c5f}")
after=$(git -C "$root" rev-parse "${AFTER:-HEAD}")
large=${BENCH_REPO:-/tmp/swift-r2d-bench/repo}
base_image=swift-r2d/test-base:bookworm
mkdir -p "$work"

command -v hyperfine >/dev/null && command -v valgrind >/dev/null || apt-get install -yq hyperfine valgrind >/dev/null

build() { # commit → path of its release binary (built from a git archive, as `make install` builds it)
  local src="$work/src-${1:0:12}"
  if [[ ! -x $src/.build/release/swift-r2d ]]; then
    rm -rf "$src" && mkdir -p "$src"
    git -C "$root" archive "$1" | tar -x -C "$src"
    (cd "$src" && nice "$root/scripts/release-build.sh" --product swift-r2d >&2)
  fi
  echo "$src/.build/release/swift-r2d"
}

small=$work/repos/small
if [[ ! -d $small/.git ]]; then
  rm -rf "$small" && mkdir -p "$small"
  printf 'numpy==2.1.0\nrequests\n' > "$small/requirements.txt"
  printf 'curl\n' > "$small/apt.txt"
  printf '#!/bin/sh\necho done\n' > "$small/postBuild" && chmod +x "$small/postBuild"
  git -C "$small" init -q && git -C "$small" add -A
  git -C "$small" -c user.name=bench -c user.email=bench@example.org commit -qm bench
fi
large_case=${BENCH_LARGE:-1}
[[ $large_case == 0 || -d $large/.git ]] || "$here/make-large-repo.sh" "$large"

old=$(build "$before")
new=$(build "$after")
common="--user-id 1000 --user-name jovyan --base-image $base_image --default-python-version 3.11 --network host"
# The no-op rebuild needs the image once; either binary names it the same (r2d<path>:<commit>).
"$new" $common --no-run "$small" >/dev/null 2>&1

out=$work/table.md
{
  echo "| Case | before (${before:0:7}) | after (${after:0:7}) | after / before |"
  echo "|---|---|---|---|"
} > "$out"
measure() { # name, then the arguments after the binary
  local name=$1; shift
  local json="$work/$name.json"
  hyperfine -N --warmup 3 --runs "${BENCH_RUNS:-30}" --export-json "$json" "$old $*" "$new $*" >&2
  python3 - "$json" "$name" >> "$out" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
(a, b) = (r["mean"] * 1000 for r in runs)
(sa, sb) = (r["stddev"] * 1000 for r in runs)
print(f"| {sys.argv[2]} | {a:.1f} ± {sa:.1f} ms | {b:.1f} ± {sb:.1f} ms | {b / a:.3f} |")
PY
}
measure render $common --no-build "$small"
[[ $large_case == 0 ]] || measure render-large $common --no-build "$large"
measure no-op-rebuild $common --no-run "$small"

instructions() { # binary → instructions of the small render
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" $common --no-build "$small" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# valgrind needs a stripped copy of a static-stdlib binary.
cp "$old" "$work/old-stripped" && strip "$work/old-stripped"
cp "$new" "$work/new-stripped" && strip "$work/new-stripped"
io=$(instructions "$work/old-stripped"); in=$(instructions "$work/new-stripped")
python3 -c "import sys; a,b=int(sys.argv[1]),int(sys.argv[2]); print(f'| render, instructions | {a:,} | {b:,} | {b/a:.3f} |')" "$io" "$in" >> "$out"
cat "$out"
[[ -z ${BENCH_OUT:-} ]] || cp "$out" "$BENCH_OUT"
