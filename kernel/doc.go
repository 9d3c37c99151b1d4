// Package kernel holds the numeric kernels of the engine: matrix products
// over packed f32 and int8 weights, layernorm, GELU, softmax and attention.
//
// Every kernel exists in up to three forms behind one API:
//
//   - a naive reference (ref.go): the obvious loops, which define what
//     "correct" means and which the conformance test compares against;
//   - the pure-Go implementation (the default on every GOOS): blocked,
//     allocation-free and parallel where the platform has threads;
//   - accelerated forms: on js/wasm, simd128 kernels hand-written in
//     WebAssembly text (web/kernels/*.wat) and called through
//     //go:wasmimport; native forms may join them (nativeForms).
//
// One conformance test runs every form on the same inputs: int8 paths must
// be bit-identical, f32 paths within 1e-5 relative.
//
// # Selection (select.go)
//
// A form is a kernelForm: a name and a kernelTable, one function value per
// kernel (matMulQ8, matMulQ4, matMulF32, matMulNN, matMulNT, layerNorm,
// geluTanh, softmaxRows, attention, add; nil where the form has none) plus
// what it needs at load time (rowSums). hostForms returns the host's forms,
// best first: wasmForms (select_nowasm.go outside js/wasm -tags simd;
// simd_js.go there, after asking the host's "kernelhost" imports whether
// each module is instantiated, how many kernel threads there are, and
// running the probe dot_exact), then nativeForms (select_nonative.go until
// a GOARCH defines its own, probing the CPU). selectKernels, run once as the
// initializer of the package variable active, takes each kernel from the
// first form that has it; the public kernels call active's entry or their
// pure-Go code. KernelForms reports what was chosen. Nothing else decides:
// JS provides functions and answers probes, and Go decides how each call
// splits over kernel threads (simd_split_js.go).
//
// The js/wasm forms, best first:
//
//	wasm-relaxed-dot  MatMulQ8 over matmul_q8x4 (relaxed 4-wide byte dot), where dot_exact
//	wasm-relaxed-fma  MatMulF32, MatMulNN, MatMulNT, Attention over the fused gemm_f32
//	wasm-simd128      every kernel, plain simd128
//
// # Layouts
//
// A Linear weight arrives as Hugging Face stores it: W[N][K] (out × in),
// row-major. Packing reorders it once, at load, so the inner loops read
// contiguous, 16-byte-aligned vectors:
//
// PackedF32 — panels of 8 output rows, k-major inside a panel:
//
//	Data[(p*K + k)*8 + j] = W[8p+j][k]      (0 where 8p+j ≥ N)
//
// PackedQ8 — int8 weights with one float32 scale per output row
// (W[n][k] ≈ Scales[n]·Q[n][k], symmetric, |Q| ≤ 127). K is padded to an
// even Kp; panels of 8 rows; inside a panel, pairs of k for all 8 rows, so
// one 16-byte load holds 8 outputs × 2 k (what i32x4.dot_i16x8_s wants
// after sign-extension):
//
//	Data[((p*Kp/2 + k/2)*8 + j)*2 + k%2] = Q[8p+j][k]   (0 where padded)
//
// # API (every form implements exactly these signatures)
//
// All matrices are flat, row-major []float32 with explicit sizes; no
// kernel allocates (MatMulQ8's Scratch grows once, on first use), and the
// pure-Go forms split work across goroutines when GOMAXPROCS > 1 and run
// inline when it is 1 (js/wasm).
//
//	func PackF32(w []float32, n, k int) (*PackedF32, error)
//	func PackQ8(q []int8, scales []float32, n, k int) (*PackedQ8, error)
//	func QuantizeRow(q []int8, a []float32) float32
//
//	// dst[m][N] = a[m][K]·Wᵀ + bias (bias may be nil; dst must not overlap a)
//	func MatMulF32(dst, a []float32, m int, w *PackedF32, bias []float32)
//	func MatMulQ8(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch)
//	type Scratch struct{ Q []int8; Scale []float32 } // zero value ready to use
//
//	// rows of src[m][n]; dst may equal src
//	func LayerNorm(dst, src []float32, m, n int, gamma, beta []float32, eps float32)
//	func GELUTanh(x []float32)           // in place, gelu_pytorch_tanh
//	func GELUErf(x []float32)            // in place, exact GELU
//	func SoftmaxRows(x []float32, m, n int) // in place
//	func Add(x, y []float32)             // x[i] += y[i], in place
//	func WarmUp()                        // run every kernel once (V8 tier-up)
//	func (w *PackedQ8) Prepare()         // per-host extras (row sums of matmul_q8x4)
//
//	// Unmasked multi-head attention; row i of head h of X is
//	// x[i*xStride + h*hd : … + hd]. scores: ≥ heads·sq·sk floats of scratch.
//	func Attention(dst []float32, dstStride int, q []float32, qStride int,
//		k []float32, kStride int, v []float32, vStride int,
//		sq, sk, heads, hd int, scores []float32)
//
// The references (ref.go, ref_attention.go) have the same shapes:
// RefMatMulF32, RefMatMulQ8 (no scratch), RefLayerNorm, RefGELUTanh,
// RefGELUErf, RefSoftmaxRows, RefAttention (no scores scratch).
//
// # Int8 matmul semantics (bit-exact across forms)
//
// MatMulQ8 quantizes each row r of the activations A[M][K] symmetrically:
//
//	amax  = max_k |A[r][k]|                    (float32)
//	sa    = amax / 127, inv = 127 / amax      (float32; sa = inv = 0 when amax = 0)
//	qa[k] = clamp(roundHalfEven(float32(A[r][k]*inv)), -127, 127)
//
// then accumulates acc = Σ_k qa[k]·Q[n][k] exactly in int32 and writes
//
//	Y[r][n] = float32(float32(acc) * float32(sa*Scales[n])) + bias[n]
//
// with each product rounded to float32 before the next operation (no fused
// multiply-add), so Go and simd128 give the same bits.
//
// On x64 Chromium with AVX-VNNI the simd form runs matmul_q8x4 over relaxed
// SIMD's 4-wide byte dot product (about twice matmul_q8's speed): it
// quantizes to qa+128 (unsigned bytes) and subtracts 128·Σ_k Q[n][k], kept
// per output row in the PackedQ8 (PackQ8 computes it; PackedQ8.Prepare for a
// PackedQ8 assembled by hand, or MatMulQ8 on first use). A start-up probe
// makes sure the instruction is exact on the host; the int32 sums and so
// the results are the same bits as every other form.
package kernel
