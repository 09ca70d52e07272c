#!/usr/bin/env bash
# Regenerates Sources/R2DBuildKitProgress/*.pb.swift from Protos/buildkit/*.proto and
# Sources/R2DBuildKitSession/*.pb.swift from Protos/buildkit-session/*.proto. Run by hand after a .proto
# changes; the generated Swift is committed, so neither `swift build` nor CI ever needs protoc or the plugin.
# protoc comes from Debian (protobuf-compiler); protoc-gen-swift is built from swift-protobuf 1.39.0, the same
# version Package.swift links, in a scratch package under .build-protoc (gitignored; ~10 minutes the first time).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scratch=${PROTOC_SCRATCH:-$root/.build-protoc}
version=1.39.0

# libprotobuf-dev is only Recommended by protobuf-compiler, but it carries google/protobuf/timestamp.proto.
if ! command -v protoc >/dev/null 2>&1 || [[ ! -f /usr/include/google/protobuf/timestamp.proto ]]; then
  echo "generate-protobuf: installing protobuf-compiler libprotobuf-dev"
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q protobuf-compiler libprotobuf-dev >/dev/null
fi

# A package of its own that only depends on swift-protobuf, so building the plugin never builds swift-r2d.
mkdir -p "$scratch/plugin"
cat >"$scratch/plugin/Package.swift" <<SWIFT
// swift-tools-version: 6.1
import PackageDescription
let package = Package(
    name: "protoc-plugin",
    dependencies: [.package(url: "https://github.com/apple/swift-protobuf.git", exact: "$version")],
    targets: []
)
SWIFT
plugin=$scratch/plugin/.build/release/protoc-gen-swift
if [[ ! -x "$plugin" ]]; then
  echo "generate-protobuf: building protoc-gen-swift $version (once; slow)"
  (cd "$scratch/plugin" && nice -n 10 swift build -c release --product protoc-gen-swift)
fi

# The generated types stay internal (protoc-gen-swift's default): each module's API is its own Swift types, and
# its tests reach the messages with @testable import. FileNaming=DropPath: one flat target. protoc-gen-swift
# writes messages only; the session's gRPC routing is hand-written (Sources/R2DBuildKitSession/SessionRouter.swift).
generate() {
  local protos=$1 out=$2
  protoc --plugin=protoc-gen-swift="$plugin" \
    --proto_path="$protos" --proto_path=/usr/include \
    --swift_opt=FileNaming=DropPath \
    --swift_out="$out" \
    "$protos"/*.proto
  echo "generate-protobuf: wrote $(cd "$out" && ls ./*.pb.swift | tr '\n' ' ')"
}
generate "$root/Protos/buildkit" "$root/Sources/R2DBuildKitProgress"
generate "$root/Protos/buildkit-session" "$root/Sources/R2DBuildKitSession"
