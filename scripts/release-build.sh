#!/usr/bin/env bash
# The release build, in the current directory: `scripts/release-build.sh [swift build options…]`. The one place the
# release link is decided (the Makefile's install, the Dockerfile and the benches call it):
# - the Swift runtime and Foundation are linked statically: a third less start-up time and ~6 MB less memory than
#   loading and relocating their shared libraries (libgit2, libarchive and libyaml are static archives in any build:
#   Package.swift, `StaticArchives`);
# - --no-export-dynamic: the static runtime exports every symbol of the executable otherwise, which slows the start
#   of every run (dladdr and symbol lookups scan them);
# - position-independent, as Debian builds every binary: swift-r2d parses untrusted repositories, archives and
#   registry answers, and a PIE keeps its own code at random addresses. SWIFT_R2D_PIE=0 links a position-dependent
#   executable instead, which applies none of the PIE's 157,000 relative relocations at each start (`--version` in
#   about 0.7 of the time, `--no-build` 0.8: bench/results-issue19.md) at the cost of that randomisation.
set -euo pipefail
flags=(-c release --static-swift-stdlib -Xlinker --no-export-dynamic)
case ${SWIFT_R2D_PIE:-1} in
  1) ;;
  0) flags+=(-Xlinker -no-pie) ;;
  *) echo "release-build.sh: SWIFT_R2D_PIE=${SWIFT_R2D_PIE} is neither 1 (PIE, the default) nor 0 (position-dependent); set one of them." >&2; exit 2 ;;
esac
exec "${SWIFT:-swift}" build "${flags[@]}" "$@"
