#!/usr/bin/env bash
# Runs the whole test suite: installs the Debian packages, builds with warnings as errors, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build --build-tests
swift test
