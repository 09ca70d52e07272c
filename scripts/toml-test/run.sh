#!/usr/bin/env bash
# R2DTOML against the toml-test suite: scripts/toml-test/run.sh /path/to/toml-test/tests
# (a checkout of https://github.com/toml-lang/toml-test; not vendored, and CI cannot reach GitHub).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swiftc -O "$root"/Sources/R2DTOML/*.swift "$root/scripts/toml-test/main.swift" -o "$out/toml-test"
"$out/toml-test" "${1:?usage: run.sh TOML-TEST/tests}"
