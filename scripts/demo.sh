#!/usr/bin/env bash
# Demo of swift-r2d on a real daemon.
# TODO(lead): build a sample repository into an image and run it; for now this only shows the binary works.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

swift build -c release
.build/release/swift-r2d --version
