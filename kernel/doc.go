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
//     //go:wasmimport; on amd64 and arm64, Go assembly (native_*.s, see
//     Native forms below).
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
// running the probe dot_exact), then nativeForms (native.go: the levels
// nativeProbe found on this CPU; none on other GOARCH, native_none.go). selectKernels, run once as the
// initializer of the package variable active, takes each kernel from the
// first form that has it; the public kernels call active's entry or their
// pure-Go code. KernelForms reports what was chosen. Nothing else decides:
// JS provides functions and answers probes, and Go decides how each call
// splits over kernel threads (simd_split_js.go).
//
// The js/wasm forms, best first:
//
//	wasm-relaxed-dot  MatMulQ8 over matmul_q8x4 (relaxed 4-wide byte dot), where dot_exact
//	wasm-relaxed-q4   MatMulQ4 over matmul_q4x4 (the same dot's i7 form), where dot_i7_exact
//	wasm-relaxed-fma  MatMulF32, MatMulNN, MatMulNT, Attention over the fused gemm_f32
//	wasm-simd128      every kernel, plain simd128
//
// # Native forms (native.go, native_amd64.*, native_arm64.*)
//
// A native level is a set of assembly inner products with the Go that
// drives them: the quantization of the activations, the split of the
// output panels (or rows, or heads) over the worker pool (GOMAXPROCS
// goroutines), and the scaling and stores, so the roundings are Go's own.
// nativeProbe (golang.org/x/sys/cpu) lists the levels, best first; each is
// the form "native-<level>":
//
//	avx512vnni  MatMulQ8: VPDPBUSD zmm, 2 panels × 8 rows; MatMulQ4: VPDPBUSD zmm, 16 rows
//	avxvnni     MatMulQ8: VEX VPDPBUSD ymm, 1 panel × 4 rows;   MatMulQ4 as avx2
//	avx2        MatMulQ8: VPMADDWD on sign-extended weights;  MatMulQ4: VPMADDUBSW, 8 rows
//	            all three: MatMulF32 and Attention (FMA: avx512vnni 2 panels in a zmm × 8 rows,
//	            the others 2 panels × 6 rows), QuantizeRow,
//	            GELUTanh and softmax (8-lane Cephes exp)
//	neon-sdot   MatMulQ8: SDOT, 1 panel × 4 rows; MatMulQ4: SDOT, 4 rows (signed Q)
//	neon        MatMulQ8: SMLAL on widened weights (MatMulQ4 stays Go); both:
//	            MatMulF32 and Attention (FMLA); the row operations stay Go
//
// VPDPBUSD multiplies unsigned by signed bytes: the VNNI forms feed qa+128
// and subtract PackedQ8's row sums (rowSums, as matmul_q8x4), and the q4
// forms feed Q+8 (the stored nibble) and subtract 8·Σ_block qa; VPMADDUBSW
// cannot saturate there (|Σ| ≤ 16·15·127 per int16 lane). Attention packs
// each head's K and V into panels (per-goroutine buffers, reused) and runs
// both products on the f32 kernel. SIGLIP_NATIVE=<level> keeps only that
// level, SIGLIP_NATIVE=off none (pure Go): the arm64 levels run under
// qemu-aarch64-static in build/test.sh, SDOT and plain NEON both.
//
// # What V8 emits on arm64, and why the results are exact there
//
// No ARM machine is reachable from this project's CI; this is read from
// V8's arm64 instruction selector and code generator
// (src/compiler/backend/arm64/, Chromium 156), per form:
//
//   - wasm-simd128 MatMulQ8 (matmul_q8): the weights' v128.load8x8_s is
//     ldr d + sxtl; i32x4.dot_i16x8_s is smull + smull2 + addp. Every
//     operand is a deterministic (non-relaxed) simd128 instruction, so
//     the int32 sums are the exact Σ qa·Q (|qa|, |Q| ≤ 127: a pair of
//     products ≤ 32258 fits the i32 lanes with room), on arm64 as on x64.
//     The float epilogue is f32x4.convert_i32x4_s (scvtf), mul and add
//     (fmul, fadd: separate, never fused, since wasm's f32x4.mul/add are
//     not relaxed), so Y has the same bits as RefMatMulQ8.
//   - the quantizations (quantize_rows, quantize_rows_u8,
//     quantize_blocks_q4): f32x4.nearest is frintn (round half to even),
//     i32x4.trunc_sat_f32x4_s is fcvtzs (saturating, as wasm requires),
//     the narrows are sqxtn / sqxtun, f32x4.pmin/pmax a compare and
//     bit-select (not fmin/fmax, whose NaN and ±0 rules differ): the same
//     qa and scales as QuantizeRow.
//   - wasm-simd128 MatMulQ4 (matmul_q4): nibble unpacking with and/ushr,
//     i16x8.extmul (smull/smull2), i32x4.extadd_pairwise (saddlp), all
//     deterministic, four products of |q·Q| ≤ 1016 per i16 lane: exact.
//   - wasm-relaxed-dot (matmul_q8x4) does not run on arm64: V8 emits
//     i32x4.relaxed_dot_i8x16_i7x16_add_s as sdot where the CPU has the
//     dot-product extension (signed × signed bytes), otherwise as smull +
//     smull2 + addp + saddlp + add (also signed × signed). Both read the
//     second operand as signed, so the probe dot_exact (bytes 200 and 255
//     in that operand) answers 0 and selectKernels keeps matmul_q8. Values
//     0..127 in the second operand (the "i7" range) would be exact under
//     both, as under x64's pmaddubsw and vpdpbusd.
//   - wasm-relaxed-q4 (matmul_q4x4) runs on arm64 too: its second
//     operand is a stored nibble Q+8 in 0..15, inside the i7 range, and
//     its first the signed activations (|qa| ≤ 127), so sdot (signed ×
//     signed) and the smull + smull2 + addp + saddlp + add fallback both
//     compute Σ qa·(Q+8) exactly, as x64's vpdpbusd and pmaddubsw +
//     pmaddwd do (a pmaddubsw pair ≤ 2·127·15, no saturation); the kernel
//     subtracts 8·Σ_block qa (sum_blocks_q4) in int32, then the float
//     epilogue is plain f32x4 convert/mul/add as matmul_q4's. The probe
//     dot_i7_exact (a = −128 and 127 at b = 127, a read as signed, the
//     accumulator added) guards against a lowering outside the spec: Node
//     20's V8 (11.3, relaxed SIMD behind a flag) fails it, Chromium 156
//     passes it under every x64 profile.
//   - wasm-relaxed-fma (gemm_f32 of simd_relaxed.wasm): f32x4.relaxed_madd
//     is fmla, always fused on arm64 (on x64: vfmadd231ps with FMA3, mul +
//     add without). The f32 products are checked against a tolerance
//     (1e-5 relative to Σ|terms|), which fused and unfused both meet;
//     their results are not bit-identical across CPUs, by design.
//   - layernorm, gelu_tanh, softmax_rows, add_inplace: deterministic
//     simd128 only (their exp is a polynomial in plain mul/add), so
//     arm64 gives the same bits as x64.
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
//	func (w *PackedQ8) Prepare()         // per-host extras (row sums of matmul_q8x4, VNNI)
//	func Native() string                 // the native level in use, "" if none
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
// multiply-add), so Go, simd128 and the native forms give the same bits.
//
// On x64 Chromium with AVX-VNNI the simd form runs matmul_q8x4 over relaxed
// SIMD's 4-wide byte dot product (about twice matmul_q8's speed): it
// quantizes to qa+128 (unsigned bytes) and subtracts 128·Σ_k Q[n][k], kept
// per output row in the PackedQ8 (PackQ8 computes it; PackedQ8.Prepare for a
// PackedQ8 assembled by hand, or MatMulQ8 on first use). A start-up probe
// makes sure the instruction is exact on the host; the int32 sums and so
// the results are the same bits as every other form.
package kernel
