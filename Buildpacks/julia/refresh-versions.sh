#!/bin/bash
# Rewrites versions.txt, the released Julia versions swift-r2d matches [compat] julia against, from
# Julia's versions.json, then Buildpacks/EmbeddedFiles.swift (base/embed-assets.sh). Commit both.
# Needs the network (or JULIA_VERSIONS_URL pointing at a mirror's copy); rendering never does.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
url="${JULIA_VERSIONS_URL:-https://julialang-s3.julialang.org/bin/versions.json}"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
curl --fail --silent --show-error --location --retry 3 --output "$tmp" "$url"
{
    echo "# Released Julia versions (no pre-releases), oldest first: what [compat] julia is matched against."
    echo "# Written by Buildpacks/julia/refresh-versions.sh from ${url} on $(date -u +%Y-%m-%d)."
    python3 - "$tmp" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
stable = [v for v, info in data.items() if info.get("stable") and "-" not in v]
for v in sorted(stable, key=lambda v: tuple(int(p) for p in v.split("."))):
    print(v)
PY
} >"$here/versions.txt.tmp"
mv "$here/versions.txt.tmp" "$here/versions.txt"
"$here/../base/embed-assets.sh"
