#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine with Go 1.26 and Node 20:
# Debian's chromium (browser tests and the benchmark), the npm tooling
# (wabt, playwright-core, onnxruntime-web) and the Go modules.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
if ! command -v chromium >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
(cd build && npm ci --no-audit --no-fund --loglevel=error)
go mod download
echo "setup: ok ($(go version | cut -d' ' -f3), node $(node --version), $(chromium --version 2>/dev/null | head -1))"
