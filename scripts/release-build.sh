#!/usr/bin/env bash
# The release build, in the current directory: `scripts/release-build.sh [swift build options…]`. The one place the
# release link is decided (the Makefile's install, the Dockerfile and the benches call it):
# - the Swift runtime and Foundation are linked statically: a third less start-up time and ~6 MB less memory than
#   loading and relocating their shared libraries (libgit2, libarchive and libyaml are static archives in any build:
#   Package.swift, `StaticArchives`);
# - --no-export-dynamic: the static runtime exports every symbol of the executable otherwise, which slows the start
#   of every run (dladdr and symbol lookups scan them);
# - -no-pie: a position-dependent executable has no relative relocations to apply at each start (157,000 of them,
#   one dirtied page per 4 kB of Swift metadata they touch): `--version` and `--no-build` start in 0.72 of the time
#   (bench/results-issue19.md). The cost is that the executable's own addresses are not randomised (its libraries,
#   stack and heap still are); SWIFT_R2D_PIE=1 builds a position-independent one.
set -euo pipefail
flags=(-c release --static-swift-stdlib -Xlinker --no-export-dynamic)
[[ ${SWIFT_R2D_PIE:-0} == 1 ]] || flags+=(-Xlinker -no-pie)
exec "${SWIFT:-swift}" build "${flags[@]}" "$@"
