#!/usr/bin/env bash
# Runs the demo: installs the Debian packages, builds, and replays the ServiceRadar demo namespace through
# the webhook over HTTPS into a temporary SQLite registry, printing the registry before and after a pod
# deletion. It binds 127.0.0.1 only and leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build --product spiffe-registrar
.build/debug/spiffe-registrar demo "$@"
