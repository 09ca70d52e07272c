#!/usr/bin/env bash
# Start-up bench (issue 19, item 6): two release binaries side by side in one run, interleaved by hyperfine.
#
#   bench/startup.sh OLD_BINARY NEW_BINARY        # as root, dockerd on /var/run/docker.sock
#   BENCH_RUNS=60 BENCH_REPO=/tmp/r bench/startup.sh OLD NEW
#
# Three commands each, on a checkout with the issue-2 bench's shape (bench/make-large-repo.sh: 19,953 files in the
# same directory tree; the file sizes are cut to a few kB because start-up reads no file content):
#   1. `--version` (the fixed cost of loading and starting the process),
#   2. `build --no-build REPO` (render the Dockerfile: no daemon, no network),
#   3. `build --no-run --user-id=1000 --user-name=jovyan REPO` with the image already built (the second invocation:
#      open the repository, check the checkout is clean, ask the daemon whether the image exists).
# Prints a markdown table of the medians and means, the ratio new/old, the libraries each binary loads, and the
# load average and CPU steal during the run. Removes the image it built at the end; keeps the repository.
set -euo pipefail
old=${1:?usage: startup.sh OLD_BINARY NEW_BINARY}
new=${2:?usage: startup.sh OLD_BINARY NEW_BINARY}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=${BENCH_REPO:-/tmp/swift-r2d-bench/startup}
runs=${BENCH_RUNS:-40}
logs=$(mktemp -d /tmp/swift-r2d-startup.XXXXXX)
trap 'rm -rf "$logs"' EXIT

command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
if [[ ! -d $repo/.git ]]; then
  BENCH_LARGE_BYTES=5000000 BENCH_SMALL_MAX=2000 "$root/bench/make-large-repo.sh" "$repo" >&2
fi
# The same image name for both binaries: the second invocation finds it and stops.
"$new" build --no-run --user-id=1000 --user-name=jovyan "$repo" >"$logs/first.log" 2>&1 ||
  { tail -3 "$logs/first.log"; exit 1; }
image=$(sed -n 's/.*Successfully tagged \(.*\)$/\1/p; s/.*Reusing existing image (\(.*\)), not building.*/\1/p' "$logs/first.log" | tail -1)

steal_before=$(awk '/^cpu /{print $9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
measure() { # name, args...
  local name=$1
  shift
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$logs/$name.json" \
    -n old "$old $*" -n new "$new $*" >"$logs/$name.out" 2>&1
}
measure version --version
measure nobuild build --no-build "$repo"
measure second build --no-run --user-id=1000 --user-name=jovyan "$repo"
steal_after=$(awk '/^cpu /{print $9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
load=$(cut -d' ' -f1-3 /proc/loadavg)
[[ -n $image ]] && docker rmi "$image" >/dev/null 2>&1 || true

python3 - "$logs" "$old" "$new" "$load" "$steal_before" "$steal_after" "$(git -C "$repo" ls-files | wc -l)" <<'EOF'
import json, sys
logs, old, new, load, before, after, files = sys.argv[1:]
b, a = [list(map(int, x.split())) for x in (before, after)]
steal = 100.0 * (a[0] - b[0]) / max(1, a[1] - b[1])
print(f"Start-up, {files} files; old = {old}, new = {new}; load average after {load}; CPU steal {steal:.1f} %\n")
print("| Command | old median (mean ± sd) | new median (mean ± sd) | new / old |")
print("|---|---|---|---|")
for name, label in [("version", "`--version`"), ("nobuild", "`--no-build`"), ("second", "second invocation, image exists")]:
    results = {r["command"]: r for r in json.load(open(f"{logs}/{name}.json"))["results"]}
    cell = lambda r: f"{r['median']*1000:.1f} ms ({r['mean']*1000:.1f} ± {r['stddev']*1000:.1f})"
    print(f"| {label} | {cell(results['old'])} | {cell(results['new'])} | {results['new']['median']/results['old']['median']:.2f} |")
EOF
for binary in "$old" "$new"; do
  echo
  echo "$binary loads $(ldd "$binary" | grep -c '=>') shared objects: $(ldd "$binary" | awk '/=>/{print $1}' | tr '\n' ' ')"
done
