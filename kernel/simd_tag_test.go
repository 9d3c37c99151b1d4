//go:build js && wasm && simd

package kernel

// wantSIMD: this test binary was built with -tags simd for js/wasm.
const wantSIMD = true
