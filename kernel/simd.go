package kernel

// simdKernels holds the simd128 forms of the kernels (web/kernels/simd.wat,
// see simd_js.go). Every field is nil unless the binary was built for
// js/wasm with -tags simd and the host instantiated the kernel module; the
// public kernels then dispatch to them, and otherwise run pure Go.
//
// The forms have the semantics of their pure-Go twins and references:
// matMulQ8 and matMulQ4 are bit-identical to RefMatMulQ8 and RefMatMulQ4; matMulF32, matMulNN, matMulNT
// and layerNorm accumulate in float32 (within 1e-5 of the float64
// references, relative to Σ|terms|); geluTanh and softmaxRows use a
// vectorised exp (see conformance_test.go for the bounds they meet).
type simdKernels struct {
	matMulQ8  func(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch)
	matMulQ4  func(dst, a []float32, m int, w *PackedQ4, bias []float32, s *Scratch)
	matMulF32 func(dst, a []float32, m int, w *PackedF32, bias []float32)
	// matMulNN: dst[i*ldc+j] = scale·Σ_k a[i*lda+k]·b[k*ldb+j]  (P·V)
	matMulNN func(dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32)
	// matMulNT: dst[i*ldc+j] = scale·Σ_k a[i*lda+k]·b[j*ldb+k]  (Q·Kᵀ)
	matMulNT    func(dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32)
	layerNorm   func(dst, src []float32, m, n int, gamma, beta []float32, eps float32)
	geluTanh    func(x []float32)
	softmaxRows func(x []float32, m, n int)
	attention   func(dst []float32, dstStride int, q []float32, qStride int, k []float32, kStride int,
		v []float32, vStride int, sq, sk, heads, hd int, scores []float32)
	add func(x, y []float32)
}

// simd is the table the public kernels consult; see simdKernels.
var simd simdKernels

// simdFMA: the simd f32 products use relaxed SIMD's fused multiply-add.
var simdFMA bool

// SIMD reports whether the simd128 kernels are in use (js/wasm built with
// -tags simd, on a host with WebAssembly SIMD).
func SIMD() bool { return simd.matMulQ8 != nil }
