#!/usr/bin/env bash
# Runs every test: Go vet, native Go tests (all packages), the js/wasm Go
# tests under Node, and the browser/Node end-to-end tests in build/tests/.
# SIGLIP_LARGE=1 adds the google/siglip-large-patch16-256 architecture check.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOROOT)/lib/wasm:$PATH"

echo "== go vet"
go vet ./...
GOOS=js GOARCH=wasm go vet ./...

echo "== go test (native)"
go test -timeout 45m ./...

echo "== go test (js/wasm under Node)"
wasm_pkgs=$(GOOS=js GOARCH=wasm go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./... | grep -v -e /cmd/ -e /build -e /hub || true)
if [ -n "$wasm_pkgs" ]; then
  GOOS=js GOARCH=wasm go test -short -timeout 30m $wasm_pkgs
fi

echo "== arm64 native kernels under qemu (NEON, SDOT; conformance only)"
GOARCH=arm64 go vet ./kernel/
GOARCH=arm64 go test -count=1 -exec 'qemu-aarch64-static -cpu max' -run 'Conformance|Native' ./kernel/
SIGLIP_NATIVE=neon GOARCH=arm64 go test -count=1 -exec 'qemu-aarch64-static -cpu max' -run 'NativePresent|ConformanceMatMulQ8' ./kernel/

echo "== simd128 kernels (assembled .wasm up to date; conformance under Node and Chromium)"
go run ./build kernels --check
GOOS=js GOARCH=wasm go vet -tags simd ./kernel/ ./model/
GOOS=js GOARCH=wasm go test -short -tags simd -exec="$PWD/build/wasmexec/go_js_wasm_exec" ./kernel/ ./model/ ./modelfile/weights/
SIGLIP_NODE_FLAGS=--experimental-wasm-relaxed-simd GOOS=js GOARCH=wasm go test -short -tags simd -exec="$PWD/build/wasmexec/go_js_wasm_exec" ./kernel/
SIGLIP_SIMD=off GOOS=js GOARCH=wasm go test -short -tags simd -exec="$PWD/build/wasmexec/go_js_wasm_exec" ./kernel/
GOOS=js GOARCH=wasm go test -short -tags simd -exec="$PWD/build/wasmexec/chromium_exec" ./kernel/
# the int8/int4 forms under the x64 lowerings of other CPUs (V8 flags as
# `go run ./build bench -cpu novnni,sse4`): conformance only, a few seconds each
for flags in "--no-enable-avx-vnni --no-enable-avx-vnni-int8" "--no-enable-avx-vnni --no-enable-avx-vnni-int8 --no-enable-avx --no-enable-avx2"; do
  SIGLIP_JS_FLAGS="$flags" GOOS=js GOARCH=wasm go test -short -tags simd -exec="$PWD/build/wasmexec/chromium_exec" -run 'ConformanceMatMulQ|SIMDPresent' ./kernel/
done

if ls build/tests/*.test.mjs >/dev/null 2>&1; then
  echo "== node --test build/tests (Node and headless Chromium)"
  node --test --test-concurrency=1 build/tests/
fi
