#!/usr/bin/env bash
# Soak (issue 19): many runs in a row on one daemon, mixed the way a BinderHub node sees them, with what a leak
# would grow counted before and after. Prints a markdown table.
#
# The runs cycle through six kinds (BinderHub's command line, --json-logs, a private TMPDIR):
#   build      a new commit of a small Dockerfile repository (classic and BuildKit in turn): exit 0
#   reuse      the same commit again: the image exists, nothing is built: exit 0
#   generated  a new commit of a repository with only an environment file (apt.txt, generated Dockerfile): exit 0
#   failure    a commit whose RUN step fails: exit 1, a final `failed` line
#   cancel     a `RUN sleep 60` build, SIGTERM after BENCH_CANCEL_AFTER seconds: exit 143
#   bad input  a --ref that does not exist, of a file:// clone: exit 1, one line
# Counted before and after: the daemon's open descriptors, containers (all states), images (all, and dangling),
# BuildKit cache records, entries of the private TMPDIR, /tmp entries named swift-r2d-*, and the host's free
# memory. Each run's peak RSS (GNU time) and wall time are kept per kind.
#
# Usage: bench/soak.sh   (as root; dockerd on /var/run/docker.sock; needs swift-r2d/test-base:bookworm)
#   env: SWIFT_R2D (default .build/debug/swift-r2d)  BENCH_RUNS (100)  BENCH_WORK (/tmp/swift-r2d-bench-soak)
#        BENCH_OUT (copy of the table)  BENCH_CANCEL_AFTER (3)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
swift_r2d=${SWIFT_R2D:-$root/.build/debug/swift-r2d}
runs=${BENCH_RUNS:-100}
work=${BENCH_WORK:-/tmp/swift-r2d-bench-soak}
cancel_after=${BENCH_CANCEL_AFTER:-3}
base_image=swift-r2d/test-base:bookworm
prefix=swift-r2d-soak-$RANDOM
kinds=(build reuse generated failure cancel badinput)

say() { echo "soak: $*" >&2; }
api() { curl -fsS --unix-socket /var/run/docker.sock "http://d$1"; }

remove_tags() {
  api "/images/json" | python3 -c '
import json, sys
for image in json.load(sys.stdin):
    for tag in image.get("RepoTags") or []:
        if tag.startswith(sys.argv[1]): print(tag)' "$prefix" | while read -r tag; do
    curl -fsS -X DELETE --unix-socket /var/run/docker.sock "http://d/images/$tag?noprune=false" >/dev/null || true
  done
}
cleanup() {
  remove_tags
  rm -rf "$work"
}
trap cleanup EXIT

command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
api "/images/$base_image/json" >/dev/null || { say "missing $base_image: run scripts/make-base-image.sh"; exit 1; }
rm -rf "$work"
mkdir -p "$work/tmp" "$work/logs"

# One repository per kind; each run of a kind that builds commits a fresh change so its commit is new.
make_repo() {
  local dir=$work/repo-$1
  mkdir -p "$dir"
  git -C "$dir" init -q -b main
  git -C "$dir" config user.email soak@example.invalid
  git -C "$dir" config user.name soak
  case $1 in
    build | reuse) printf 'FROM %s\nCOPY . /srv/repo\nRUN cat /srv/repo/stamp > /srv/stamp\n' "$base_image" >"$dir/Dockerfile" ;;
    generated) printf 'less\n' >"$dir/apt.txt" ;;
    failure) printf 'FROM %s\nCOPY . /srv/repo\nRUN echo failing on purpose && false\n' "$base_image" >"$dir/Dockerfile" ;;
    cancel) printf 'FROM %s\nCOPY . /srv/repo\nRUN sleep 60\n' "$base_image" >"$dir/Dockerfile" ;;
    badinput) printf 'FROM %s\n' "$base_image" >"$dir/Dockerfile" ;;
  esac
  echo 0 >"$dir/stamp"
  git -C "$dir" add -A && git -C "$dir" commit -q -m start
}
for kind in "${kinds[@]}"; do make_repo "$kind"; done

counts() {
  local pid
  pid=$(pidof dockerd | awk '{print $1}')
  printf '%s %s %s %s %s %s %s %s\n' \
    "$(ls "/proc/$pid/fd" | wc -l)" \
    "$(api '/containers/json?all=1' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
    "$(api '/images/json?all=1' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
    "$(api '/images/json?filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
    "$(api '/system/df' | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("BuildCache") or []))')" \
    "$(find "$work/tmp" -mindepth 1 -maxdepth 1 | wc -l)" \
    "$(find /tmp -maxdepth 1 -name 'swift-r2d-*' ! -name 'swift-r2d-bench*' | wc -l)" \
    "$(awk '/MemAvailable/{print int($2/1024)}' /proc/meminfo)"
}

# run_one KIND N: one run; prints "kind exit expected peak_kB wall_s".
run_one() {
  local kind=$1 n=$2 dir=$work/repo-$1 backend=classic expected=0 ref
  # The backend alternates per cycle of kinds, so that every kind runs with both.
  (((n / ${#kinds[@]}) % 2)) && backend=buildkit
  if [[ $kind != reuse && $kind != badinput ]]; then
    echo "run $n" >"$dir/stamp" && git -C "$dir" commit -q -am "run $n"
  fi
  ref=$(git -C "$dir" rev-parse HEAD)
  case $kind in failure | badinput) expected=1 ;; cancel) expected=143 ;; esac
  local source=$dir
  # A local directory is built as it is (--ref does not apply), so the bad ref goes to a clone of it.
  [[ $kind == badinput ]] && ref=0000000000000000000000000000000000000bad && source=file://$dir
  local args=(--ref="$ref" --image="$prefix-$kind:$ref" --no-clean --no-run --json-logs --user-name=jovyan
    --user-id=1000 --build-backend "$backend" --network host --base-image "$base_image" --default-python-version 3.11
    "$source")
  local start end status
  start=$(date +%s.%N)
  TMPDIR=$work/tmp /usr/bin/time -f '%M' -o "$work/logs/$n.time" "$swift_r2d" "${args[@]}" \
    >"$work/logs/$n.out" 2>"$work/logs/$n.err" &
  local pid=$!
  if [[ $kind == cancel ]]; then
    sleep "$cancel_after"
    pkill -TERM -P "$pid" -x swift-r2d 2>/dev/null || true
  fi
  status=0
  wait "$pid" || status=$?
  end=$(date +%s.%N)
  # GNU time reports a signalled child as "Command terminated by signal 15" and its own exit as 128+15.
  [[ $kind == cancel && $status == 0 ]] && grep -q 'signal 15' "$work/logs/$n.time" && status=143
  echo "$kind $status $expected $(tail -1 "$work/logs/$n.time") $(echo "$end - $start" | bc)"
}

# --no-clean keeps each clone under the private TMPDIR by design (BinderHub's pod throws it away); they are
# removed between runs so that what is counted after the soak is what the runs left unintentionally.
read -r fd0 ct0 im0 dg0 bc0 tmp0 sys0 mem0 < <(counts)
say "before: fds=$fd0 containers=$ct0 images=$im0 dangling=$dg0 buildcache=$bc0 tmp=$tmp0 /tmp=$sys0 MemAvailable=${mem0}MB"
: >"$work/results"
for ((n = 0; n < runs; n++)); do
  kind=${kinds[n % ${#kinds[@]}]}
  line=$(run_one "$kind" "$n")
  echo "$line" >>"$work/results"
  say "$n $line"
  find "$work/tmp" -mindepth 1 -maxdepth 1 -name 'swift-r2d-*' -exec sh -c 'test -d "$1/checkout" && rm -rf "$1"' _ {} \;
done
read -r fd1 ct1 im1 dg1 bc1 tmp1 sys1 mem1 < <(counts)
# The images the soak tagged go, with the intermediate images only they hold: what stays is what a leak left,
# plus what stays by design (environment images and the cache records under them).
remove_tags
read -r fd2 ct2 im2 dg2 bc2 tmp2 sys2 mem2 < <(counts)

engine=$(api /version | python3 -c 'import json,sys; print(json.load(sys.stdin)["Version"])')
python3 - "$work/results" "$runs" <<EOF | tee "${BENCH_OUT:-/dev/null}"
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
print(f"## Soak: {sys.argv[2]} runs on one dockerd ($engine)")
print()
print("| Kind | Runs | Right exit | Peak RSS median / max (MB) | Wall median (s) |")
print("|---|---|---|---|---|")
for kind in ["build", "reuse", "generated", "failure", "cancel", "badinput"]:
    mine = [r for r in rows if r[0] == kind]
    if not mine: continue
    right = sum(1 for r in mine if r[1] == r[2])
    rss = [int(r[3]) / 1024 for r in mine if r[3].isdigit()]
    wall = [float(r[4]) for r in mine]
    print(f"| {kind} | {len(mine)} | {right} | {statistics.median(rss):.1f} / {max(rss):.1f} | {statistics.median(wall):.2f} |")
print()
print("| Counted | Before | After | After removing the soak's tags |")
print("|---|---|---|---|")
for name, before, after, cleaned in [
    ("dockerd open descriptors", "$fd0", "$fd1", "$fd2"), ("containers (all states)", "$ct0", "$ct1", "$ct2"),
    ("images (all)", "$im0", "$im1", "$im2"), ("dangling images", "$dg0", "$dg1", "$dg2"), ("BuildKit cache records", "$bc0", "$bc1", "$bc2"),
    ("private TMPDIR entries", "$tmp0", "$tmp1", "$tmp2"), ("/tmp swift-r2d-* entries", "$sys0", "$sys1", "$sys2"),
    ("MemAvailable (MB)", "$mem0", "$mem1", "$mem2")]:
    print(f"| {name} | {before} | {after} | {cleaned} |")
EOF
