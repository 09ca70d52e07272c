#!/usr/bin/env bash
# `--no-build` before and after a change to how repository files are read, side by side in one run: wall time
# (hyperfine, 40 runs after 2 warm-ups), instructions (callgrind, which a busy machine does not change) and peak RSS (/usr/bin/time, max of 5 runs) of two release binaries on
#   - the bench repository of build-pipeline.sh (a Dockerfile and 20,002 files: start-up plus the clean-tree walk),
#   - a repository per reader: environment.yml (YAML), pyproject.toml + requirements.txt (TOML), Pipfile (TOML),
#     and requirements.txt alone (no structured file: the start-up cost of the new libraries alone).
#
# Usage: bench/file-forms.sh                      BEFORE=920f9a4 (the commit before libyaml and the TOML reader), AFTER=HEAD
#   env: BEFORE, AFTER (commits), BENCH_WORK (/tmp/swift-r2d-forms-bench), BENCH_REPO (the large repository;
#        made with make-large-repo.sh when absent: ~4 min, 2.6 GB), BENCH_OUT (markdown copy of the table)
# Each binary is built from a `git archive` of its commit (release, static Swift stdlib, as `make install`).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work=${BENCH_WORK:-/tmp/swift-r2d-forms-bench}
before=$(git -C "$root" rev-parse "${BEFORE:-920f9a4}")
after=$(git -C "$root" rev-parse "${AFTER:-HEAD}")
large=${BENCH_REPO:-/tmp/swift-r2d-bench/repo}
mkdir -p "$work"

command -v hyperfine >/dev/null && [[ -x /usr/bin/time ]] && command -v valgrind >/dev/null ||
  apt-get install -yq hyperfine time valgrind >/dev/null

build() { # commit → path of its release binary
  local commit=$1 src="$work/src-${1:0:12}"
  if [[ ! -x $src/.build/release/swift-r2d ]]; then
    rm -rf "$src" && mkdir -p "$src"
    git -C "$root" archive "$commit" | tar -x -C "$src"
    (cd "$src" && "$root/scripts/release-build.sh" --product swift-r2d >&2)
  fi
  echo "$src/.build/release/swift-r2d"
}

repo() { # name, then file=content pairs: a committed git repository under $work/repos
  local dir="$work/repos/$1"; shift
  rm -rf "$dir" && mkdir -p "$dir"
  while (($#)); do printf '%s' "${1#*=}" > "$dir/${1%%=*}"; shift; done
  git -C "$dir" init -q && git -C "$dir" add -A
  git -C "$dir" -c user.name=bench -c user.email=bench@example.org commit -qm bench
  echo "$dir"
}

[[ -d $large/.git ]] || "$here/make-large-repo.sh" "$large"
declare -A repos=(
  [large-repository]=$large
  [environment.yml]=$(repo conda "environment.yml=name: demo
channels: [conda-forge]
dependencies:
  - python=3.11
  - numpy
  - pip
  - pip:
    - there
")
  [pyproject.toml]=$(repo pyproject "pyproject.toml=[project]
name = \"demo\"
requires-python = \">=3.10\"
dependencies = [\"numpy\"]
[build-system]
requires = [\"hatchling\"]
build-backend = \"hatchling.build\"
" "requirements.txt=numpy
")
  [Pipfile]=$(repo pipfile "Pipfile=[[source]]
url = \"https://pypi.org/simple\"
verify_ssl = true
name = \"pypi\"
[packages]
numpy = \"*\"
[requires]
python_version = \"3.11\"
")
  [requirements.txt]=$(repo requirements "requirements.txt=numpy
")
)
bin_before=$(build "$before")
bin_after=$(build "$after")

# Instructions (callgrind) do not depend on what else the 2 cores are doing; wall times do.
# valgrind cannot read the release binaries' debug info, so it runs a stripped copy.
instructions() {
  strip -o "$work/stripped" "$1"; shift
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$work/stripped" "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'
}

table="| repository | before ${before:0:7}: median (min) | after ${after:0:7}: median (min) | after/before | instructions before | instructions after | after/before | peak RSS before | peak RSS after |
|---|---|---|---|---|---|---|---|---|"
for name in large-repository environment.yml pyproject.toml Pipfile requirements.txt; do
  dir=${repos[$name]}
  hyperfine -N --warmup 2 --runs 40 --export-json "$work/hf.json" \
    "$bin_before build --no-build $dir" "$bin_after build --no-build $dir" > "$work/hf.out" 2>&1
  read -r mb nb ma na < <(python3 -c "
import json; r = json.load(open('$work/hf.json'))['results']
print(*(f'{x[k]*1000:.1f}' for x in r for k in ('median', 'min')))")
  rss() { local max=0 kb; for _ in 1 2 3 4 5; do kb=$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1); ((kb > max)) && max=$kb; done; echo "$max"; }
  rb=$(rss "$bin_before" build --no-build "$dir"); ra=$(rss "$bin_after" build --no-build "$dir")
  ratio=$(python3 -c "print(f'{$ma/$mb:.2f}')")
  ib=$(instructions "$bin_before" build --no-build "$dir"); ia=$(instructions "$bin_after" build --no-build "$dir")
  iratio=$(python3 -c "print(f'{$ia/$ib:.3f}')")
  table+="
| $name | $mb ms ($nb) | $ma ms ($na) | $ratio | $(python3 -c "print(f'{$ib/1e6:.1f}')") M | $(python3 -c "print(f'{$ia/1e6:.1f}')") M | $iratio | $((rb / 1024)) MB | $((ra / 1024)) MB |"
done
echo "$table"
[[ -n ${BENCH_OUT:-} ]] && echo "$table" > "$BENCH_OUT"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
