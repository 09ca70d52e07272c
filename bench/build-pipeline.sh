#!/usr/bin/env bash
# Build-pipeline bench: swift-r2d vs `docker build` (classic builder) vs repo2docker 2024.07.0 on a
# generated ~1.5 GB / ~20,000-file repository, in one run, interleaved. Prints a markdown table.
#
# Measures
#   1. cold build (image removed, `docker builder prune -af` before each): wall time and peak RSS
#      (`/usr/bin/time -f '%e %M'`) of each tool's client process, median of BENCH_RUNS rounds;
#      the three tools alternate within each round (order rotated per round) to share machine noise.
#   2. second invocation on the same commit when the image exists (hyperfine --warmup 2 --runs 20).
#   3. --no-build on the local checkout (hyperfine), also for repo2docker 2026.4.0 when installable.
#
# Usage: bench/build-pipeline.sh            (as root, dockerd on /var/run/docker.sock)
#   env: BENCH_RUNS (3)  BENCH_WORK (/tmp/swift-r2d-bench)  BENCH_KEEP_REPO (0: delete the repo and logs at the end)
#        SWIFT_R2D (default: HEAD built from a `git archive` in BENCH_SRC=/tmp/swift-r2d-bench-src with
#        --scratch-path .build-bench, so others' uncommitted edits are not measured)
#        R2D_VENV (/tmp/r2d-venv)  R2D_NEW_VENV (/tmp/r2d-venv-2026)  BENCH_OUT (markdown copy of the table)
# Idempotent: removes the bench images before and after; reuses the generated repository and the venvs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work=${BENCH_WORK:-/tmp/swift-r2d-bench}
runs=${BENCH_RUNS:-3}
keep_repo=${BENCH_KEEP_REPO:-0}
swift_r2d=${SWIFT_R2D:-$root/.build-bench/release/swift-r2d}
r2d_venv=${R2D_VENV:-/tmp/r2d-venv}
r2d_new_venv=${R2D_NEW_VENV:-/tmp/r2d-venv-2026}
src_dir=${BENCH_SRC:-/tmp/swift-r2d-bench-src}
base_image=swift-r2d/test-base:bookworm
repo=$work/repo
logs=$work/logs
images=(bench-swift-r2d:1 bench-docker:1 bench-r2d:1 bench-r2d:latest)
generated_image=""

say() { echo "build-pipeline: $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

cleanup() {
  docker rmi -f "${images[@]}" ${generated_image:+"$generated_image"} >/dev/null 2>&1 || true
  rm -rf "$work/tmp"
  # With BENCH_KEEP_REPO=1 the per-run logs stay beside the repository (logs/*.log, runs.tsv, hf.*).
  if [[ $keep_repo != 1 ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# --- prerequisites -------------------------------------------------------------------------------
docker info >/dev/null 2>&1 || { say "dockerd does not answer; run scripts/start-dockerd.sh"; exit 1; }
docker image inspect "$base_image" >/dev/null 2>&1 || "$root/scripts/make-base-image.sh" "$base_image"
need_apt=()
[[ -x /usr/bin/time ]] || need_apt+=(time)
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
if ((${#need_apt[@]})); then
  apt-get install -y "${need_apt[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "${need_apt[@]}" >/dev/null; }
fi
if [[ ! -x $r2d_venv/bin/jupyter-repo2docker ]]; then
  python3 -m venv "$r2d_venv" && "$r2d_venv/bin/pip" install -q jupyter-repo2docker==2024.07.0
fi
if [[ ! -x $r2d_new_venv/bin/jupyter-repo2docker ]]; then
  { python3 -m venv "$r2d_new_venv" && "$r2d_new_venv/bin/pip" install -q jupyter-repo2docker==2026.4.0; } ||
    say "could not install jupyter-repo2docker 2026.4.0; its column stays empty"
fi
if [[ -z ${SWIFT_R2D:-} ]]; then
  # Measure the committed HEAD, not a work tree others may be editing: build a `git archive` of it
  # (kept in $src_dir between runs, re-extracted when HEAD moves) with the .build-bench scratch path.
  head=$(git -C "$root" rev-parse HEAD)
  if [[ $(cat "$src_dir/.bench-commit" 2>/dev/null) != "$head" ]]; then
    rm -rf "$src_dir" && mkdir -p "$src_dir"
    git -C "$root" archive "$head" | tar -x -C "$src_dir"
    [[ -f $root/Package.resolved ]] && cp "$root/Package.resolved" "$src_dir/"
    echo "$head" > "$src_dir/.bench-commit"
  fi
  (cd "$src_dir" && "$root/scripts/release-build.sh" --scratch-path "$root/.build-bench" >&2)
  swift_r2d_version=$head
else
  swift_r2d_version=$swift_r2d
fi

mkdir -p "$work"
free_gb=$(df --output=avail -BG "$work" | tail -1 | tr -dc 0-9)
docker_root=$(docker info --format '{{.DockerRootDir}}')
docker_free_gb=$(df --output=avail -BG "$docker_root" 2>/dev/null | tail -1 | tr -dc 0-9 || echo 999)
# repo 1.5 GB + .git ~1.2 GB, then per tool: the sent context (~2.7 GB, unpacked by the daemon) and the layer.
if ((free_gb < 8 || docker_free_gb < 12)); then
  say "not enough disk: ${free_gb} GB free under $work (need 8), ${docker_free_gb} GB under $docker_root (need 12)"; exit 1
fi

rm -rf "$logs" "$work/tmp"; mkdir -p "$logs" "$work/tmp"
export TMPDIR=$work/tmp
docker rmi -f "${images[@]}" >/dev/null 2>&1 || true

"$here/make-large-repo.sh" "$repo"
commit=$(git -C "$repo" rev-parse HEAD)
repo_files=$(git -C "$repo" ls-files | wc -l)
repo_tree=$(du -sh --exclude=.git "$repo" | cut -f1)
repo_git=$(du -sh "$repo/.git" | cut -f1)

# --- 1. cold builds --------------------------------------------------------------------------------
tool_cmd() {
  case $1 in
    swift-r2d) echo "$swift_r2d build --no-run --user-id=1000 --user-name=jovyan --image-name bench-swift-r2d:1 $repo" ;;
    docker) echo "env DOCKER_BUILDKIT=0 docker build -t bench-docker:1 $repo" ;;
    repo2docker) echo "$r2d_venv/bin/jupyter-repo2docker --no-run --user-id 1000 --user-name jovyan --image-name bench-r2d:1 $repo" ;;
  esac
}
tools=(swift-r2d docker repo2docker)
runs_tsv=$logs/runs.tsv
: > "$runs_tsv"
for ((round = 1; round <= runs; round++)); do
  for ((k = 0; k < 3; k++)); do
    tool=${tools[$(((round - 1 + k) % 3))]}
    docker rmi -f "${images[@]}" >/dev/null 2>&1 || true
    docker builder prune -af >/dev/null 2>&1 || true
    sync
    load=$(loadavg)
    log=$logs/$tool.$round.log
    say "round $round: $tool (load $load)"
    set +e
    # shellcheck disable=SC2046
    timeout 3600 /usr/bin/time -f '%e %M' -o "$logs/time" $(tool_cmd "$tool") >"$log" 2>&1
    status=$?
    set -e
    read -r wall rss < <(tail -1 "$logs/time")
    note=""
    if ((status != 0)); then
      note=$(grep -iE 'error|exception|denied|failed' "$log" | tail -1 | tr '\t|' '  ' | cut -c1-200)
      [[ -n $note ]] || note=$(tail -1 "$log" | tr '\t|' '  ' | cut -c1-200)
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$round" "$wall" "$rss" "$status" "$load" "$note" >> "$runs_tsv"
    say "  -> ${wall}s, ${rss} KB, exit $status ${note:+($note)}"
  done
done

# --- 2. second invocation (image exists) ---------------------------------------------------------------
hf() { # name, command...: hyperfine into $logs/hf.<name>.json, or a failure note into $logs/hf.<name>.err
  local name=$1; shift
  if ! "$@" >"$logs/hf.$name.first" 2>&1; then
    { grep -iE 'error|exception' "$logs/hf.$name.first" | tail -1 || tail -1 "$logs/hf.$name.first"; } | cut -c1-200 > "$logs/hf.$name.err"
    return 0
  fi
  /usr/bin/time -f '%e %M' -o "$logs/hf.$name.time" "$@" >/dev/null 2>&1 || true
  loadavg > "$logs/hf.$name.load"
  hyperfine -N --warmup 2 --runs 20 --export-json "$logs/hf.$name.json" "$(printf '%q ' "$@")" >"$logs/hf.$name.out" 2>&1 ||
    tail -1 "$logs/hf.$name.out" > "$logs/hf.$name.err"
}

# The swift-r2d image named by default (r2d…:<commit>): the first call builds it (not timed).
"$swift_r2d" build --no-run --user-id=1000 --user-name=jovyan "$repo" >"$logs/generated.log" 2>&1 || true
generated_image=$(grep -oE '(Successfully tagged |Reusing existing image \()[^ )]+' "$logs/generated.log" | tail -1 | sed -E 's/.*[ (]//') || true
say "second invocations (image ${generated_image:-?})"
hf second-swift-r2d "$swift_r2d" build --no-run --user-id=1000 --user-name=jovyan "$repo"
# repo2docker 2024.07.0 reuses an image only when `<image-name>:latest` exists (app.py find_image compares
# tags with output_image_spec + ":latest"), so `--image-name bench-r2d:1` would rebuild: use the untagged name.
# The cold loop removed every image but the last one built, so build bench-r2d:latest once (not timed).
if ! docker image inspect bench-r2d:latest >/dev/null 2>&1; then
  "$r2d_venv/bin/jupyter-repo2docker" --no-run --user-id 1000 --user-name jovyan --image-name bench-r2d "$repo" >"$logs/r2d-latest.log" 2>&1 || true
fi
if docker image inspect bench-r2d:latest >/dev/null 2>&1; then
  hf second-repo2docker "$r2d_venv/bin/jupyter-repo2docker" --no-run --user-id 1000 --user-name jovyan --image-name bench-r2d "$repo"
else
  echo "could not build bench-r2d:latest: $(grep -iE 'error' "$logs/r2d-latest.log" | tail -1 | cut -c1-160)" > "$logs/hf.second-repo2docker.err"
fi

# --- 3. --no-build ---------------------------------------------------------------------------------------
say "--no-build"
hf nobuild-swift-r2d "$swift_r2d" build --no-build "$repo"
hf nobuild-repo2docker "$r2d_venv/bin/jupyter-repo2docker" --no-build "$repo"
if [[ -x $r2d_new_venv/bin/jupyter-repo2docker ]]; then
  hf nobuild-repo2docker-2026 "$r2d_new_venv/bin/jupyter-repo2docker" --no-build "$repo"
else
  echo "not installed" > "$logs/hf.nobuild-repo2docker-2026.err"
fi

# --- table ------------------------------------------------------------------------------------------------
docker_client=$(docker version --format '{{.Client.Version}}' 2>/dev/null || echo ?)
docker_server=$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo ?)
python3 - "$logs" "$runs" "$commit" "$repo_files" "$repo_tree" "$repo_git" "$docker_client" "$docker_server" "$(loadavg)" "$swift_r2d_version" "$repo" <<'PY' | tee ${BENCH_OUT:+"$BENCH_OUT"}
import json, os, statistics, sys, datetime
logs, runs, commit, nfiles, tree, gitsize, dcli, dsrv, load_end, swift_r2d_version, repo = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(logs, "runs.tsv")) if l.strip()]
by = {}
for tool, rnd, wall, rss, status, load, note in rows:
    by.setdefault(tool, []).append(dict(round=int(rnd), wall=float(wall or "nan"), rss=int(rss or 0), status=int(status), load=load, note=note))

def med(tool, key):
    ok = [r[key] for r in by.get(tool, []) if r["status"] == 0]
    return statistics.median(ok) if ok else None

def hf(name):
    p = os.path.join(logs, f"hf.{name}.json")
    if os.path.exists(p):
        r = json.load(open(p))["results"][0]
        t = open(os.path.join(logs, f"hf.{name}.time")).read().split() if os.path.exists(os.path.join(logs, f"hf.{name}.time")) else ["", "0"]
        load = open(os.path.join(logs, f"hf.{name}.load")).read().strip()
        return dict(mean=r["mean"] * 1000, median=r["median"] * 1000, sd=r["stddev"] * 1000, min=r["min"] * 1000, rss=int(t[-1]), load=load)
    e = os.path.join(logs, f"hf.{name}.err")
    return dict(error=open(e).read().strip() if os.path.exists(e) else "not measured")

def fmt_wall(tool):
    m = med(tool, "wall")
    if m is None:
        notes = {r["note"] for r in by.get(tool, []) if r["note"]}
        return "failed: " + "; ".join(sorted(notes))[:160]
    n = sum(1 for r in by[tool] if r["status"] == 0)
    return f"{m:.1f} s (n={n})"
def fmt_rss(tool):
    m = med(tool, "rss")
    return "—" if m is None else f"{m/1024:.0f} MB"
def fmt_hf(h):
    if "error" in h: return "failed: " + h["error"].replace("|", "/")[:160]
    return f"{h['median']:.1f} ms (mean {h['mean']:.1f} ± {h['sd']:.1f}, min {h['min']:.1f}; RSS {h['rss']/1024:.0f} MB; load {h['load'].split()[0]})"

sw, dk = med("swift-r2d", "wall"), med("docker", "wall")
sw_rss = med("swift-r2d", "rss")
ratio = f"{sw/dk:.2f}×" if sw and dk else "—"
def met(cond): return "—" if cond is None else ("yes" if cond else "**no**")
s2, s3 = hf("second-swift-r2d"), hf("nobuild-swift-r2d")

print(f"### Build pipeline bench ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)\n")
print(f"swift-r2d at {swift_r2d_version[:12] if '/' not in swift_r2d_version else swift_r2d_version}. Repository: {nfiles} files, {tree} work tree + {gitsize} .git, commit {commit[:12]}; docker client {dcli}, dockerd {dsrv}; "
      f"{os.cpu_count()} cores; load average at the end {load_end}.\n")
print("| Measurement | swift-r2d | docker build (classic) | repo2docker 2024.07.0 | repo2docker 2026.4.0 | Goal (swift-r2d) | Met |")
print("|---|---|---|---|---|---|---|")
print(f"| Cold build, wall time (median) | {fmt_wall('swift-r2d')} | {fmt_wall('docker')} | {fmt_wall('repo2docker')} | — | ≤ 1.0× docker build (is {ratio}) | {met(None if not (sw and dk) else sw <= dk)} |")
print(f"| Cold build, peak RSS of the client (median) | {fmt_rss('swift-r2d')} | {fmt_rss('docker')} | {fmt_rss('repo2docker')} | — | ≤ 64 MB | {met(None if sw_rss is None else sw_rss <= 64 * 1024)} |")
print(f"| Second invocation, image exists | {fmt_hf(s2)} | — | {fmt_hf(hf('second-repo2docker'))} | — | < 50 ms | {met(None if 'error' in s2 else s2['median'] < 50)} |")
print(f"| `--no-build` | {fmt_hf(s3)} | — | {fmt_hf(hf('nobuild-repo2docker'))} | {fmt_hf(hf('nobuild-repo2docker-2026'))} | < 20 ms | {met(None if 'error' in s3 else s3['median'] < 20)} |")
print("\nEvery cold run (image removed and `docker builder prune -af` first; the order rotates each round):\n")
print("| Round | Tool | Wall (s) | Peak RSS (MB) | Exit | Load average before (1/5/15 min) | Note |")
print("|---|---|---|---|---|---|---|")
for tool, rnd, wall, rss, status, load, note in sorted(rows, key=lambda r: int(r[1])):
    print(f"| {rnd} | {tool} | {wall} | {int(rss or 0)/1024:.0f} | {status} | {load} | {note.replace('|', '/')} |")
PY
