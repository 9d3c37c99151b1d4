#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine with Go 1.26 and Node 20:
# Debian's chromium (browser tests and the benchmark), qemu-user-static
# (the arm64 kernels' tests under emulation), the npm tooling (wabt,
# playwright-core, onnxruntime-web, onnxruntime-node; build/.npmrc skips
# install scripts: onnxruntime-node's packaged CPU library is all we use)
# and the Go modules.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v qemu-aarch64-static >/dev/null 2>&1 || need="$need qemu-user-static"
if [ -n "$need" ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi
(cd build && npm ci --no-audit --no-fund --loglevel=error)
go mod download
echo "setup: ok ($(go version | cut -d' ' -f3), node $(node --version), $(chromium --version 2>/dev/null | head -1))"
