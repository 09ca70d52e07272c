#!/usr/bin/env bash
# Issue 16's bench: how a BuildKit build gets its context, side by side on one engine. On the overlay2 dind
# (Docker 26, where both ways work) a repository is built with the context as the request body
# (SWIFT_R2D_BUILDKIT_CONTEXT=body) and through the session's file sync (=session, the default); on the containerd-store dind,
# where only file sync works, the same builds are timed for reference. Every run commits a change to one file,
# so the COPY of the context runs again while the base image's layers stay cached: what differs between the
# two ways is the transfer of the context and the client's work to produce it.
#
# The repository: BENCH_FILES small files (default 4000, 100 B–20 kB) and BENCH_BIG_MB MB in 4 large files
# (default 200), and a Dockerfile `FROM swift-r2d/test-base:bookworm` + `COPY . /srv/repo`.
#
# Usage: bench/session.sh        (as root, `make deps` run: the dind daemons on /run/swift-r2d-dind/*/docker.sock)
#   env: BENCH_RUNS (3 rounds, order swapped every round)  BENCH_WORK (/tmp/swift-r2d-bench-session)
#        BENCH_OUT (markdown copy)  SWIFT_R2D (default: HEAD built in release as bench/buildkit.sh builds it)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work=${BENCH_WORK:-/tmp/swift-r2d-bench-session}
runs=${BENCH_RUNS:-3}
files=${BENCH_FILES:-4000}
big_mb=${BENCH_BIG_MB:-200}
swift_r2d=${SWIFT_R2D:-$root/.build-bench/release/swift-r2d}
src_dir=${BENCH_SRC:-/tmp/swift-r2d-bench-src}
repo=$work/repo
overlay2=/run/swift-r2d-dind/overlay2/docker.sock
containerd=/run/swift-r2d-dind/containerd/docker.sock

say() { echo "session-bench: $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.3f", a / b; else print "n/a" }'; }
median() { tr ' ' '\n' | awk '/^[0-9.]+$/' | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
api() { curl -sS --unix-socket "$1" -X "$2" "http://localhost$3"; }

images=()
cleanup() {
  for entry in "${images[@]}"; do api "${entry%%|*}" DELETE "/images/${entry#*|}?force=1&noprune=1" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- prerequisites -------------------------------------------------------------------------------
for socket in "$overlay2" "$containerd"; do
  api "$socket" GET /_ping >/dev/null 2>&1 || { say "no daemon on $socket; run make deps"; exit 1; }
done
if [[ -z ${SWIFT_R2D:-} ]]; then
  head=$(git -C "$root" rev-parse HEAD)
  if [[ $(cat "$src_dir/.bench-commit" 2>/dev/null) != "$head" ]]; then
    rm -rf "$src_dir" && mkdir -p "$src_dir"
    git -C "$root" archive "$head" | tar -x -C "$src_dir"
    echo "$head" > "$src_dir/.bench-commit"
  fi
  (cd "$src_dir" && nice swift build -c release --static-swift-stdlib -Xlinker --no-export-dynamic \
    --scratch-path "$root/.build-bench" --product swift-r2d >&2)
fi
[[ -x $swift_r2d ]] || { say "no swift-r2d binary at $swift_r2d"; exit 1; }

# --- the repository ------------------------------------------------------------------------------
rm -rf "$work" && mkdir -p "$repo"
python3 - "$repo" "$files" "$big_mb" <<'PY'
import os, random, sys
root, count, big_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(16)
words = [("w%d" % i).encode() for i in range(500)]
for i in range(count):
    path = os.path.join(root, "src", "d%02d" % (i % 40), "f%05d.txt" % i)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    size = int(100 * (200 ** rng.random()))
    with open(path, "wb") as f:
        f.write(b" ".join(rng.choice(words) for _ in range(size // 4))[:size])
for i in range(4):
    with open(os.path.join(root, "data%d.bin" % i), "wb") as f:
        for _ in range(big_mb // 4):
            f.write(rng.randbytes(1 << 20))
with open(os.path.join(root, "Dockerfile"), "w") as f:
    f.write("FROM swift-r2d/test-base:bookworm\nCOPY . /srv/repo\n")
PY
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=bench \
  GIT_COMMITTER_EMAIL=bench@example.invalid
git -C "$repo" init -q -b main && git -C "$repo" add -A && git -C "$repo" commit -q -m "bench repository"
context_mb=$(du -sm --exclude=.git "$repo" | cut -f1)

build() { # $1: socket, $2: body|session; prints the wall time in seconds
  local start end rc=0 tag log=$work/last.log
  echo "$RANDOM$RANDOM" > "$repo/changed.txt"
  git -C "$repo" add -A && git -C "$repo" commit -q -m "change"
  tag="bench-session:$(git -C "$repo" rev-parse --short HEAD)-$2"
  images+=("$1|$tag")
  start=$(now)
  env DOCKER_HOST="unix://$1" SWIFT_R2D_BUILDKIT_CONTEXT="$2" "$swift_r2d" build --no-run --build-backend buildkit \
    --network host --user-id 1000 --user-name jovyan --image-name "$tag" "$repo" > "$log" 2>&1 || rc=$?
  end=$(now)
  if ((rc != 0)); then say "build $tag failed ($rc): $(tail -1 "$log")"; echo failed; return; fi
  elapsed "$start" "$end"
}

say "warming the caches (one untimed build each way)"
build "$overlay2" body >/dev/null
build "$overlay2" session >/dev/null
build "$containerd" session >/dev/null

body=() session=() containerd_session=()
for ((round = 1; round <= runs; round++)); do
  if ((round % 2)); then
    body+=("$(build "$overlay2" body)")
    session+=("$(build "$overlay2" session)")
  else
    session+=("$(build "$overlay2" session)")
    body+=("$(build "$overlay2" body)")
  fi
  containerd_session+=("$(build "$containerd" session)")
  say "round $round: body ${body[-1]} s, session ${session[-1]} s, containerd session ${containerd_session[-1]} s"
done

body_median=$(echo "${body[*]}" | median)
session_median=$(echo "${session[*]}" | median)
containerd_median=$(echo "${containerd_session[*]}" | median)
table=$(
  cat <<EOF
| Engine | Context | Runs (s) | Median (s) | ÷ body on overlay2 |
|---|---|---|---|---|
| Docker 26, overlay2 | tar as the request body | ${body[*]} | $body_median | 1.000 |
| Docker 26, overlay2 | session file sync | ${session[*]} | $session_median | $(ratio "$session_median" "$body_median") |
| Docker 26, containerd store | session file sync (the only way) | ${containerd_session[*]} | $containerd_median | $(ratio "$containerd_median" "$body_median") |

Context: $files small files and $big_mb MB in 4 large files ($context_mb MB without .git; .git is sent too),
\`COPY . /srv/repo\` rerun each time (a changed file per commit). Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg).
EOF
)
echo "$table"
[[ -z ${BENCH_OUT:-} ]] || echo "$table" > "$BENCH_OUT"
