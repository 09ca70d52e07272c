#!/usr/bin/env bash
# Builds the libFuzzer targets with swiftc directly (not SwiftPM), so the normal `swift build` / `swift test`
# never see them. Each parser's module is compiled from the package's own sources (only the files the
# parsers need, so NIO, libgit2 and swift-crypto stay out) with -enable-testing, and each target is one file
# under Fuzz/Targets that `@testable import`s it. Output: $FUZZ_BUILD/bin/fuzz-<target>.
set -eu
cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-swiftc}
B=${FUZZ_BUILD:-.build-fuzz}
SANITIZE=${FUZZ_SANITIZE:-fuzzer,address}
mkdir -p "$B/modules" "$B/lib" "$B/bin"

# $1 module name, $2 extra flags, rest: sources. A static library plus its .swiftmodule. -package-name as SwiftPM
# passes it: R2DArchive declares `package` members (for the test-only R2DArchiveTestSupport), which swiftc
# refuses to compile without one.
module() {
    name=$1; flags=$2; shift 2
    echo "fuzz: module $name"
    # shellcheck disable=SC2086
    $SWIFTC -parse-as-library -O -whole-module-optimization -module-name "$name" -package-name swift_r2d $flags \
        -I "$B/modules" -emit-module -emit-module-path "$B/modules/$name.swiftmodule" \
        -emit-library -static -o "$B/lib/lib$name.a" "$@"
}

# The parsers' own modules: libyaml's Swift face (on the system libyaml) and the TOML reader, both instrumented.
module R2DYAML "-sanitize=$SANITIZE -I Sources/CLibYAML" Sources/R2DYAML/*.swift
module R2DTOML "-sanitize=$SANITIZE" Sources/R2DTOML/*.swift

# The embedded assets carry no parsing code: no coverage instrumentation, no testability.
module R2DBuildpackAssets "" Buildpacks/Assets.swift Buildpacks/EmbeddedFiles.swift
module R2DBuildpacks "-sanitize=$SANITIZE -enable-testing -I Sources/CLibYAML" Sources/R2DBuildpacks/*.swift
module R2DBuildContext "-sanitize=$SANITIZE -enable-testing" \
    Sources/R2DBuildContext/IgnoreRules.swift Sources/R2DBuildContext/GlobMatcher.swift
module R2DRegistry "-sanitize=$SANITIZE -enable-testing" Sources/R2DRegistry/RegistryReference.swift
# BuildRequest holds the content providers' settings (their download limits come from R2DArchive, on the
# system libarchive); only those files are needed.
module R2DArchive "-I Sources/CLibArchive" Sources/R2DArchive/*.swift
module R2DContentProviders "-sanitize=$SANITIZE -enable-testing -I Sources/CLibArchive" \
    Sources/R2DContentProviders/ProviderSettings.swift Sources/R2DContentProviders/ProviderError.swift
module R2DCore "-sanitize=$SANITIZE -enable-testing -I Sources/CLibArchive -I Sources/CLibYAML" \
    Sources/R2DCore/ImageName.swift Sources/R2DCore/BuildRequest.swift Sources/R2DCore/CoreError.swift \
    Fuzz/Support/Digest.swift

for source in Fuzz/Targets/*.swift; do
    target=$(basename "$source" .swift)
    echo "fuzz: target $target"
    rm -f "$B/bin/fuzz-$target"
    $SWIFTC -parse-as-library -O -sanitize="$SANITIZE" -I "$B/modules" -I Sources/CLibArchive -I Sources/CLibYAML \
        -L "$B/lib" \
        "$source" Fuzz/Support/FuzzInput.swift \
        -lR2DCore -lR2DContentProviders -lR2DArchive -larchive -lR2DRegistry -lR2DBuildContext -lR2DBuildpacks -lR2DBuildpackAssets \
        -lR2DYAML -lyaml -lR2DTOML \
        -o "$B/bin/fuzz-$target" 2>&1 | grep -v "Cannot export local symbol" || true
    test -x "$B/bin/fuzz-$target"
done
