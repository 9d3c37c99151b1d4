//go:build !(js && wasm && simd)

package kernel

const wantSIMD = false
