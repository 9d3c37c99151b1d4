//go:build !(js && wasm && simd)

package kernel

// wasmForms: no simd128 forms outside js/wasm built with -tags simd.
func wasmForms() []kernelForm { return nil }

const simdInUse = false
