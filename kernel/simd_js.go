//go:build js && wasm && simd

package kernel

import (
	"fmt"
	"math"
	"sync"
	"unsafe"
)

// The simd128 kernels (web/kernels/simd.wat, and simd_relaxed.wat's
// relaxed-SIMD forms) are imported from the modules "simd" and
// "simd_relaxed", which web/kernels/loader.mjs (one thread) or
// web/threads/threaded.mjs (kernel workers) provides as trampolines into
// the kernel instances; those work directly on Go's linear memory, so
// arguments are byte addresses (unsafe.Pointer) and int32 counts. The
// wrappers below check every length first: the kernels have no bounds
// checks of their own beyond the end of wasm memory. What the host offers
// is asked through "kernelhost" (simd_host_js.go); which form runs is
// decided by wasmForms below, and how a call splits over kernel threads by
// simd_split_js.go.

//go:wasmimport simd quantize_rows
//go:noescape
func simdQuantizeRows(a unsafe.Pointer, m, k, kp int32, q, sa unsafe.Pointer)

//go:wasmimport simd matmul_q8
//go:noescape
func simdMatMulQ8Raw(dst, q, sa unsafe.Pointer, m int32, w, scales, bias unsafe.Pointer, n, kp int32)

//go:wasmimport simd matmul_q4
//go:noescape
func simdMatMulQ4Raw(dst, q, sa unsafe.Pointer, m int32, w, sc, bias unsafe.Pointer, n, nb int32, tmp unsafe.Pointer)

//go:wasmimport simd quantize_blocks_q4
//go:noescape
func simdQuantizeBlocksQ4(a unsafe.Pointer, m, nb int32, q, sa unsafe.Pointer)

//go:wasmimport simd quantize_rows_u8
//go:noescape
func simdQuantizeRowsU8(a unsafe.Pointer, m, k, k4 int32, q, sa unsafe.Pointer)

//go:wasmimport simd gemm_f32
//go:noescape
func simdGemmF32(dst, a, b unsafe.Pointer, m, n, k, lda, ldbk, ldbp, ldc int32, scale float32, bias unsafe.Pointer, bpad int32)

//go:wasmimport simd transpose
//go:noescape
func simdTranspose(dst, src unsafe.Pointer, rows, cols, lds, ldd int32)

//go:wasmimport simd layernorm
//go:noescape
func simdLayerNormRaw(dst, src unsafe.Pointer, m, n int32, gamma, beta unsafe.Pointer, eps float32)

//go:wasmimport simd gelu_tanh
//go:noescape
func simdGELUTanhRaw(x unsafe.Pointer, n int32)

//go:wasmimport simd add_inplace
//go:noescape
func simdAddRaw(x, y unsafe.Pointer, n int32)

//go:wasmimport simd softmax_rows
//go:noescape
func simdSoftmaxRowsRaw(x unsafe.Pointer, m, n, ld int32)

// The relaxed-SIMD module: its exports are called only when the host
// instantiated it (hostRelaxed), and matmul_q8x4 only where its probe
// dot_exact answers 1.

//go:wasmimport simd_relaxed dot_exact
func simdDotExact() int32

//go:wasmimport simd_relaxed matmul_q8x4
//go:noescape
func simdMatMulQ8x4Raw(dst, q, sa unsafe.Pointer, m int32, w, scales, corr, bias unsafe.Pointer, n, kp int32)

//go:wasmimport simd_relaxed dot_i7_exact
func simdDotI7Exact() int32

//go:wasmimport simd_relaxed sum_blocks_q4
//go:noescape
func simdSumBlocksQ4(q unsafe.Pointer, cnt int32, corr unsafe.Pointer)

//go:wasmimport simd_relaxed matmul_q4x4
//go:noescape
func simdMatMulQ4x4Raw(dst, q, sa, corr unsafe.Pointer, m int32, w, sc, bias unsafe.Pointer, n, nb int32, tmp unsafe.Pointer)

//go:wasmimport simd_relaxed gemm_f32
//go:noescape
func simdGemmF32Relaxed(dst, a, b unsafe.Pointer, m, n, k, lda, ldbk, ldbp, ldc int32, scale float32, bias unsafe.Pointer, bpad int32)

// gemmFn is the signature of both gemm_f32 forms (plain and fused).
type gemmFn func(dst, a, b unsafe.Pointer, m, n, k, lda, ldbk, ldbp, ldc int32, scale float32, bias unsafe.Pointer, bpad int32)

// simdInUse: the simd128 module was instantiated (SIMD()).
var simdInUse bool

// wasmForms asks the host what it runs and returns the simd128 forms, best
// first (selectKernels takes each kernel from the first that has it):
//
//   - "wasm-relaxed-dot": MatMulQ8 over relaxed SIMD's 4-wide byte dot
//     (matmul_q8x4), where the probe finds it exact (x64 with AVX-VNNI);
//   - "wasm-relaxed-q4": MatMulQ4 over the relaxed dot's i7 form
//     (matmul_q4x4: the nibbles Q+8 as the 0..127 operand), where the probe
//     dot_i7_exact finds it exact (every lowering we know);
//   - "wasm-relaxed-fma": the f32 products over relaxed SIMD's fused
//     multiply-add (gemm_f32 of simd_relaxed.wasm);
//   - "wasm-simd128": every kernel, plain simd128.
//
// It also reads the kernel threads (hostThreads) that the splits use.
func wasmForms() []kernelForm {
	if hostSIMD() == 0 {
		return nil
	}
	simdInUse = true
	kthreads = max(1, min(int(hostThreads()), maxKernelThreads))
	if w := hostMinSplitWork(); w >= 0 {
		kminWork = int(w)
	} else {
		kminWork = defaultMinSplitWork
	}
	var forms []kernelForm
	if hostRelaxed() != 0 {
		if simdDotExact() == 1 {
			forms = append(forms, kernelForm{"wasm-relaxed-dot", kernelTable{matMulQ8: simdMatMulQ8Quad, rowSums: true}})
		}
		if simdDotI7Exact() == 1 {
			forms = append(forms, kernelForm{"wasm-relaxed-q4", kernelTable{matMulQ4: simdMatMulQ4x4}})
		}
		forms = append(forms, kernelForm{"wasm-relaxed-fma", f32Kernels(simdGemmF32Relaxed)})
	}
	plain := f32Kernels(simdGemmF32)
	plain.matMulQ8 = simdMatMulQ8
	plain.matMulQ4 = simdMatMulQ4
	plain.layerNorm = simdLayerNorm
	plain.geluTanh = simdGELUTanh
	plain.softmaxRows = simdSoftmaxRows
	plain.add = simdAdd
	return append(forms, kernelForm{"wasm-simd128", plain})
}

// f32Kernels returns the f32 products (and attention, built from them)
// over one gemm_f32 form.
func f32Kernels(gemm gemmFn) kernelTable {
	return kernelTable{
		matMulF32: func(dst, a []float32, m int, w *PackedF32, bias []float32) { simdMatMulF32(gemm, dst, a, m, w, bias) },
		matMulNN: func(dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32) {
			simdMatMulNN(gemm, dst, ldc, a, lda, b, ldb, m, n, k, scale)
		},
		matMulNT: func(dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32) {
			simdMatMulNT(gemm, dst, ldc, a, lda, b, ldb, m, n, k, scale)
		},
		attention: func(dst []float32, dstStride int, q []float32, qStride int, k []float32, kStride int,
			v []float32, vStride int, sq, sk, heads, hd int, scores []float32) {
			simdAttention(gemm, dst, dstStride, q, qStride, k, kStride, v, vStride, sq, sk, heads, hd, scores)
		},
	}
}

// simdPtr is the address of s[0], or nil for an empty slice.
func simdPtr[T any](s []T) unsafe.Pointer {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Pointer(unsafe.SliceData(s))
}

// simdNeed panics (like an index out of range would) when a slice is shorter
// than a kernel is about to touch.
func simdNeed(kernel, what string, have, want int) {
	if have < want {
		panic(fmt.Sprintf("kernel: %s: %s has %d values, need %d", kernel, what, have, want))
	}
}

// simdSpan returns how many values a matrix of rows×cols with leading
// dimension ld spans.
func simdSpan(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// checkMatMulQ8 checks MatMulQ8's slices against its sizes before any
// address reaches the simd module (which cannot bounds-check Go's slices),
// and supplies a Scratch when the caller gave none.
func checkMatMulQ8(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch) *Scratch {
	simdNeed("MatMulQ8", "a", len(a), m*w.K)
	simdNeed("MatMulQ8", "dst", len(dst), m*w.N)
	simdNeed("MatMulQ8", "weight data", len(w.Data), panels(w.N)*PanelRows*w.Kp)
	simdNeed("MatMulQ8", "scales", len(w.Scales), w.N)
	if bias != nil {
		simdNeed("MatMulQ8", "bias", len(bias), w.N)
	}
	if s == nil {
		s = new(Scratch)
	}
	return s
}

// simdMatMulQ8 keeps the quantized activations as int16 pairs (what the
// kernel's i32 splat + i32x4.dot_i16x8_s wants) in the bytes of s.Q, which
// Go never reads as int16 (wasm loads need no alignment).
func simdMatMulQ8(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch) {
	if m <= 0 {
		return
	}
	s = checkMatMulQ8(dst, a, m, w, bias, s)
	s.grow(2*m*w.Kp, m)
	q, sa := s.Q, s.Scale
	splitRows(m, 1, m*w.K*16, 2, func(lo, hi int) {
		simdQuantizeRows(simdPtr(a[lo*w.K:]), int32(hi-lo), int32(w.K), int32(w.Kp), simdPtr(q[2*lo*w.Kp:]), simdPtr(sa[lo:]))
	})
	rb := simdRowBlock(2 * w.Kp)
	splitRows(m, simdTile, m*w.N*w.Kp, 2*simdTile, func(lo, hi int) {
		for r0 := lo; r0 < hi; r0 += rb {
			rows := min(rb, hi-r0)
			simdMatMulQ8Raw(simdPtr(dst[r0*w.N:]), simdPtr(q[2*r0*w.Kp:]), simdPtr(sa[r0:]), int32(rows),
				simdPtr(w.Data), simdPtr(w.Scales), simdPtr(bias), int32(w.N), int32(w.Kp))
		}
	})
}

// simdMatMulQ8Quad is MatMulQ8 through matmul_q8x4 (the 4-wide relaxed
// dot, where exact): one byte per quantized activation (qa+128), 16 MACs
// per instruction, on the same PackedQ8 data plus its row sums (computed
// here for a PackedQ8 that has none). K not a multiple of 4 runs
// matmul_q8.
func simdMatMulQ8Quad(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch) {
	if m <= 0 {
		return
	}
	if w.Kp%4 != 0 {
		simdMatMulQ8(dst, a, m, w, bias, s)
		return
	}
	s = checkMatMulQ8(dst, a, m, w, bias, s)
	if w.corr == nil {
		w.corr = rowSums128(w) // a PackedQ8 not made by PackQ8 (model files)
	}
	simdNeed("MatMulQ8", "row sums", len(w.corr), w.N)
	s.grow(m*w.Kp, m)
	q, sa := s.Q, s.Scale
	splitRows(m, 1, m*w.K*16, 2, func(lo, hi int) {
		simdQuantizeRowsU8(simdPtr(a[lo*w.K:]), int32(hi-lo), int32(w.K), int32(w.Kp), simdPtr(q[lo*w.Kp:]), simdPtr(sa[lo:]))
	})
	rb := simdRowBlock(w.Kp)
	splitRows(m, simdTile, m*w.N*w.Kp, 2*simdTile, func(lo, hi int) {
		for r0 := lo; r0 < hi; r0 += rb {
			rows := min(rb, hi-r0)
			simdMatMulQ8x4Raw(simdPtr(dst[r0*w.N:]), simdPtr(q[r0*w.Kp:]), simdPtr(sa[r0:]), int32(rows),
				simdPtr(w.Data), simdPtr(w.Scales), simdPtr(w.corr), simdPtr(bias), int32(w.N), int32(w.Kp))
		}
	})
}

// checkMatMulF32 checks MatMulF32's slices against its sizes before any
// address reaches the simd module (as checkMatMulQ8).
func checkMatMulF32(dst, a []float32, m int, w *PackedF32, bias []float32) {
	simdNeed("MatMulF32", "a", len(a), m*w.K)
	simdNeed("MatMulF32", "dst", len(dst), m*w.N)
	simdNeed("MatMulF32", "weight data", len(w.Data), panels(w.N)*PanelRows*w.K)
	if bias != nil {
		simdNeed("MatMulF32", "bias", len(bias), w.N)
	}
}

func simdMatMulF32(gemm gemmFn, dst, a []float32, m int, w *PackedF32, bias []float32) {
	if m <= 0 {
		return
	}
	checkMatMulF32(dst, a, m, w, bias)
	simdGemm(gemm, simdPtr(dst), simdPtr(a), simdPtr(w.Data), m, w.N, w.K,
		w.K, PanelRows, PanelRows*w.K, w.N, 1, simdPtr(bias), 1)
}

func simdMatMulNN(gemm gemmFn, dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32) {
	if m <= 0 || n <= 0 {
		return
	}
	simdNeed("MatMulNN", "a", len(a), simdSpan(m, k, lda))
	simdNeed("MatMulNN", "b", len(b), simdSpan(k, n, ldb))
	simdNeed("MatMulNN", "dst", len(dst), simdSpan(m, n, ldc))
	if k <= 0 {
		for i := 0; i < m; i++ {
			clear(dst[i*ldc : i*ldc+n])
		}
		return
	}
	simdGemm(gemm, simdPtr(dst), simdPtr(a), simdPtr(b), m, n, k, lda, ldb, PanelRows, ldc, scale, nil, 0)
}

var ntPool = sync.Pool{New: func() any { return new([]float32) }}

func simdMatMulNT(gemm gemmFn, dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32) {
	if m <= 0 || n <= 0 {
		return
	}
	simdNeed("MatMulNT", "a", len(a), simdSpan(m, k, lda))
	simdNeed("MatMulNT", "b", len(b), simdSpan(n, k, ldb))
	simdNeed("MatMulNT", "dst", len(dst), simdSpan(m, n, ldc))
	if k <= 0 {
		for i := 0; i < m; i++ {
			clear(dst[i*ldc : i*ldc+n])
		}
		return
	}
	// Bᵀ[k][np] with np = n rounded up to a panel, so the tiled kernel may
	// read whole panels (the extra columns are never stored).
	np := panels(n) * PanelRows
	bufp := ntPool.Get().(*[]float32)
	if cap(*bufp) < k*np {
		*bufp = make([]float32, k*np)
	}
	bt := (*bufp)[:k*np]
	// split by source rows (destination columns), 8 at a time
	splitRows(n, 8, n*k*16, 16, func(lo, hi int) {
		simdTranspose(simdPtr(bt[lo:]), simdPtr(b[lo*ldb:]), int32(hi-lo), int32(k), int32(ldb), int32(np))
	})
	simdGemm(gemm, simdPtr(dst), simdPtr(a), simdPtr(bt), m, n, k, lda, np, PanelRows, ldc, scale, nil, 1)
	ntPool.Put(bufp)
}

func simdLayerNorm(dst, src []float32, m, n int, gamma, beta []float32, eps float32) {
	if m <= 0 || n <= 0 {
		return
	}
	simdNeed("LayerNorm", "src", len(src), m*n)
	simdNeed("LayerNorm", "dst", len(dst), m*n)
	simdNeed("LayerNorm", "gamma", len(gamma), n)
	simdNeed("LayerNorm", "beta", len(beta), n)
	splitRows(m, 1, m*n*elementWork, 2, func(lo, hi int) {
		simdLayerNormRaw(simdPtr(dst[lo*n:]), simdPtr(src[lo*n:]), int32(hi-lo), int32(n), simdPtr(gamma), simdPtr(beta), eps)
	})
}

// simdGELUTanh and simdAdd split on 16-element boundaries, so every
// element sits in the same vector lane as in one call.
func simdGELUTanh(x []float32) {
	if len(x) == 0 {
		return
	}
	splitRows(len(x), 16, len(x)*elementWork, 32, func(lo, hi int) {
		simdGELUTanhRaw(simdPtr(x[lo:]), int32(hi-lo))
	})
}

func simdAdd(x, y []float32) {
	if len(x) == 0 {
		return
	}
	simdNeed("Add", "y", len(y), len(x))
	splitRows(len(x), 16, len(x)*2, 64, func(lo, hi int) {
		simdAddRaw(simdPtr(x[lo:]), simdPtr(y[lo:]), int32(hi-lo))
	})
}

func simdSoftmaxRows(x []float32, m, n int) {
	if m <= 0 || n <= 0 {
		return
	}
	simdNeed("SoftmaxRows", "x", len(x), m*n)
	splitRows(m, 1, m*n*elementWork, 2, func(lo, hi int) {
		simdSoftmaxRowsRaw(simdPtr(x[lo*n:]), int32(hi-lo), int32(n), int32(n))
	})
}

// simdAttention is Attention (same contract) from the simd products: per
// head, scores = Q_h·K_hᵀ/√hd (NT), softmax, dst_h = P·V_h (NN), each
// call split over the kernel threads on its own.
func simdAttention(gemm gemmFn, dst []float32, dstStride int, q []float32, qStride int, k []float32, kStride int,
	v []float32, vStride int, sq, sk, heads, hd int, scores []float32) {
	if sq <= 0 || sk <= 0 || heads <= 0 {
		return
	}
	simdNeed("Attention", "scores", len(scores), heads*sq*sk)
	scale := float32(1 / math.Sqrt(float64(hd)))
	for h := 0; h < heads; h++ {
		s := scores[h*sq*sk : (h+1)*sq*sk]
		off := h * hd
		simdMatMulNT(gemm, s, sk, q[off:], qStride, k[off:], kStride, sq, sk, hd, scale)
		simdSoftmaxRows(s, sq, sk)
		simdMatMulNN(gemm, dst[off:], dstStride, s, sk, v[off:], vStride, sq, hd, sk, 1)
	}
}

// simdMatMulQ4 quantizes the activations per block of 32 as the reference
// does (simdQuantizeQ4: each block's even elements, then its odd ones, the
// order of a PackedQ4 block's low and high nibbles, which the kernel
// unpacks into two int8 vectors). The kernel's own scratch (per block, four
// outputs' f32 scales and unpacked weights: q4TmpBytes per block, once per
// kernel thread that may take a share of the rows) follows the activations
// in s.Q. The kernel does four outputs at a time; a weight with N not a
// multiple of 4 (none in SigLIP) runs pure Go.
func simdMatMulQ4(dst, a []float32, m int, w *PackedQ4, bias []float32, s *Scratch) {
	if m <= 0 {
		return
	}
	if w.N%4 != 0 {
		matMulQ4Go(dst, a, m, w, bias, s)
		return
	}
	s = simdCheckQ4(dst, a, m, w, bias, s)
	kp := w.Blocks * Q4Block
	tmp := w.Blocks * q4TmpBytes
	s.grow(m*kp+kthreads*tmp, m*w.Blocks)
	q, sa := s.Q[:m*kp], s.Scale[:m*w.Blocks]
	simdQuantizeQ4(q, sa, a, m, w)
	scratch := s.Q[m*kp:]
	splitRowsIndexed(m, 1, m*w.N*kp, 2, func(part, lo, hi int) {
		simdMatMulQ4Raw(simdPtr(dst[lo*w.N:]), simdPtr(q[lo*kp:]), simdPtr(sa[lo*w.Blocks:]), int32(hi-lo),
			simdPtr(w.Data), simdPtr(w.Scales), simdPtr(bias), int32(w.N), int32(w.Blocks),
			simdPtr(scratch[part*tmp:]))
	})
}

// simdCheckQ4 checks the lengths a q4 wasm kernel will read and write
// (matmul_q4 and matmul_q4x4 alike: the kernels trust them) and returns s,
// or a new Scratch where it is nil.
func simdCheckQ4(dst, a []float32, m int, w *PackedQ4, bias []float32, s *Scratch) *Scratch {
	simdNeed("MatMulQ4", "a", len(a), m*w.K)
	simdNeed("MatMulQ4", "dst", len(dst), m*w.N)
	if bias != nil {
		simdNeed("MatMulQ4", "bias", len(bias), w.N)
	}
	simdNeed("MatMulQ4", "weight data", len(w.Data), w.N*w.Blocks*16)
	simdNeed("MatMulQ4", "scales", len(w.Scales), w.N*w.Blocks)
	if s == nil {
		s = new(Scratch)
	}
	return s
}

// simdQuantizeQ4 quantizes a[m][K] per block of 32 as the reference does
// (quantize_blocks_q4; pure Go when K is not a whole number of blocks) into
// q[m][Blocks·32] and sa[m][Blocks], each block stored as its 16 even
// elements, then its 16 odd ones: the order of a PackedQ4 block's low and
// high nibbles.
func simdQuantizeQ4(q []int8, sa []float32, a []float32, m int, w *PackedQ4) {
	kp := w.Blocks * Q4Block
	if w.K == kp {
		simdQuantizeBlocksQ4(simdPtr(a), int32(m), int32(w.Blocks), simdPtr(q), simdPtr(sa))
		return
	}
	var blk [Q4Block]int8 // a partial last block: pure Go, the same values
	for r := 0; r < m; r++ {
		qr := q[r*kp : (r+1)*kp]
		q4QuantizeBlocks(qr, sa[r*w.Blocks:(r+1)*w.Blocks], a[r*w.K:(r+1)*w.K], w.Blocks)
		for b := 0; b < kp; b += Q4Block {
			copy(blk[:], qr[b:b+Q4Block])
			for i := 0; i < Q4Block/2; i++ {
				qr[b+i], qr[b+Q4Block/2+i] = blk[2*i], blk[2*i+1]
			}
		}
	}
}

// simdMatMulQ4x4 is MatMulQ4 through matmul_q4x4 (the relaxed dot's i7
// form, where dot_i7_exact): the activations as simdMatMulQ4 quantizes
// them, their block sums ×8 (sum_blocks_q4, the offset of the nibbles'
// +8) after them in s.Scale's memory as int32 (Go never reads them as
// float32), and per kernel thread q4xTmpBytes per block + q4xTileBytes of
// scratch after the activations in s.Q. Tiles of q4xRows rows × q4xOutputs
// outputs; N not a multiple of q4xOutputs runs matmul_q4.
func simdMatMulQ4x4(dst, a []float32, m int, w *PackedQ4, bias []float32, s *Scratch) {
	if m <= 0 {
		return
	}
	if w.N%q4xOutputs != 0 {
		simdMatMulQ4(dst, a, m, w, bias, s)
		return
	}
	s = simdCheckQ4(dst, a, m, w, bias, s)
	kp, nb := w.Blocks*Q4Block, w.Blocks
	tmp := nb*q4xTmpBytes + q4xTileBytes
	s.grow(m*kp+kthreads*tmp, 2*m*nb)
	q, sa, corr := s.Q[:m*kp], s.Scale[:m*nb], s.Scale[m*nb:2*m*nb]
	simdQuantizeQ4(q, sa, a, m, w)
	simdSumBlocksQ4(simdPtr(q), int32(m*nb), simdPtr(corr))
	scratch := s.Q[m*kp:]
	splitRowsIndexed(m, q4xRows, m*w.N*kp, 2*q4xRows, func(part, lo, hi int) {
		simdMatMulQ4x4Raw(simdPtr(dst[lo*w.N:]), simdPtr(q[lo*kp:]), simdPtr(sa[lo*nb:]), simdPtr(corr[lo*nb:]), int32(hi-lo),
			simdPtr(w.Data), simdPtr(w.Scales), simdPtr(bias), int32(w.N), int32(nb),
			simdPtr(scratch[part*tmp:]))
	})
}
