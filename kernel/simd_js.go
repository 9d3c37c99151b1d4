//go:build js && wasm && simd

package kernel

import (
	"fmt"
	"math"
	"sync"
	"unsafe"
)

// The simd128 kernels (web/kernels/simd.wat) are imported from the module
// "simd", which web/kernels/loader.mjs provides as trampolines into the
// kernel instance; that instance works directly on Go's linear memory, so
// arguments are byte addresses (unsafe.Pointer) and int32 counts. The
// wrappers below check every length first: the kernels have no bounds
// checks of their own beyond the end of wasm memory.

//go:wasmimport simd available
func simdAvailable() int32

// simdRelaxedFMA reports whether gemm_f32 runs the relaxed-SIMD (fused
// multiply-add) module, simd_relaxed.wasm.
//
//go:wasmimport simd relaxed
func simdRelaxedFMA() int32

//go:wasmimport simd quantize_rows
//go:noescape
func simdQuantizeRows(a unsafe.Pointer, m, k, kp int32, q, sa unsafe.Pointer)

//go:wasmimport simd matmul_q8
//go:noescape
func simdMatMulQ8Raw(dst, q, sa unsafe.Pointer, m int32, w, scales, bias unsafe.Pointer, n, kp int32)

//go:wasmimport simd matmul_q4
//go:noescape
func simdMatMulQ4Raw(dst, q, sa unsafe.Pointer, m int32, w, sc, bias unsafe.Pointer, n, nb int32, tmp unsafe.Pointer, ntmp int32)

// simdQ4Parts is how many row ranges a matmul_q4 call may be split into
// (the kernel threads, simd_threads_js.go), each needing its own scratch.
var simdQ4Parts = 1

//go:wasmimport simd quantize_blocks_q4
//go:noescape
func simdQuantizeBlocksQ4(a unsafe.Pointer, m, nb int32, q, sa unsafe.Pointer)

//go:wasmimport simd dot_exact
func simdDotExact() int32

//go:wasmimport simd quantize_rows_u8
//go:noescape
func simdQuantizeRowsU8(a unsafe.Pointer, m, k, k4 int32, q, sa unsafe.Pointer)

//go:wasmimport simd matmul_q8x4
//go:noescape
func simdMatMulQ8x4Raw(dst, q, sa unsafe.Pointer, m int32, w, scales, corr, bias unsafe.Pointer, n, kp int32)

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

func init() {
	if simdAvailable() == 0 {
		return
	}
	simdFMA = simdRelaxedFMA() != 0
	// The quad kernel needs relaxed SIMD and an exact 4-wide int8 dot
	// (x64 with AVX-VNNI); the probe runs the instruction on values where
	// the other lowerings differ.
	simdQuad = simdFMA && simdDotExact() == 1
	simd = simdKernels{
		matMulQ8:    simdMatMulQ8,
		matMulQ4:    simdMatMulQ4,
		matMulF32:   simdMatMulF32,
		matMulNN:    simdMatMulNN,
		matMulNT:    simdMatMulNT,
		layerNorm:   simdLayerNorm,
		geluTanh:    simdGELUTanh,
		softmaxRows: simdSoftmaxRows,
		attention:   simdAttention,
		add:         simdAdd,
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

// simdBlockBytes bounds the activations one matmul call sweeps for every
// weight panel: the kernels walk panels outside and 5-row tiles inside, so
// the rows of a call are re-read once per panel and should stay in L2
// (512 KiB–1 MiB per core on current x64). A [256][3072] int16 activation
// (1.5 MiB) otherwise streams from L3 96 times; in blocks, the weights
// (2.4 MiB int8) are re-read once per block instead.
const simdBlockBytes = 512 << 10

// simdRowBlock returns the rows per call for rows of rowBytes bytes: a
// multiple of the 5-row tile, at least one tile.
func simdRowBlock(rowBytes int) int {
	return max(5, simdBlockBytes/rowBytes/5*5)
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
	if simdQuad && w.corr == nil {
		w.Prepare() // a PackedQ8 not made by PackQ8 (model files)
	}
	if w.corr != nil {
		simdMatMulQ8Quad(dst, a, m, w, bias, s)
		return
	}
	s.grow(2*m*w.Kp, m)
	q, sa := s.Q, s.Scale
	simdQuantizeRows(simdPtr(a), int32(m), int32(w.K), int32(w.Kp), simdPtr(q), simdPtr(sa))
	for r0, rb := 0, simdRowBlock(2*w.Kp); r0 < m; r0 += rb {
		rows := min(rb, m-r0)
		simdMatMulQ8Raw(simdPtr(dst[r0*w.N:]), simdPtr(q[2*r0*w.Kp:]), simdPtr(sa[r0:]), int32(rows),
			simdPtr(w.Data), simdPtr(w.Scales), simdPtr(bias), int32(w.N), int32(w.Kp))
	}
}

// simdMatMulQ8Quad is simdMatMulQ8 through matmul_q8x4 (the 4-wide
// relaxed dot, where exact): one byte per quantized activation (qa+128),
// 16 MACs per instruction, on the same PackedQ8 data plus its row sums.
func simdMatMulQ8Quad(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch) {
	simdNeed("MatMulQ8", "row sums", len(w.corr), w.N)
	s.grow(m*w.Kp, m)
	q, sa := s.Q, s.Scale
	simdQuantizeRowsU8(simdPtr(a), int32(m), int32(w.K), int32(w.Kp), simdPtr(q), simdPtr(sa))
	for r0, rb := 0, simdRowBlock(w.Kp); r0 < m; r0 += rb {
		rows := min(rb, m-r0)
		simdMatMulQ8x4Raw(simdPtr(dst[r0*w.N:]), simdPtr(q[r0*w.Kp:]), simdPtr(sa[r0:]), int32(rows),
			simdPtr(w.Data), simdPtr(w.Scales), simdPtr(w.corr), simdPtr(bias), int32(w.N), int32(w.Kp))
	}
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

func simdMatMulF32(dst, a []float32, m int, w *PackedF32, bias []float32) {
	if m <= 0 {
		return
	}
	checkMatMulF32(dst, a, m, w, bias)
	for r0, rb := 0, simdRowBlock(4*w.K); r0 < m; r0 += rb {
		rows := min(rb, m-r0)
		simdGemmF32(simdPtr(dst[r0*w.N:]), simdPtr(a[r0*w.K:]), simdPtr(w.Data), int32(rows), int32(w.N), int32(w.K),
			int32(w.K), PanelRows, int32(PanelRows*w.K), int32(w.N), 1, simdPtr(bias), 1)
	}
}

func simdMatMulNN(dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32) {
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
	simdGemmF32(simdPtr(dst), simdPtr(a), simdPtr(b), int32(m), int32(n), int32(k),
		int32(lda), int32(ldb), PanelRows, int32(ldc), scale, nil, 0)
}

var ntPool = sync.Pool{New: func() any { return new([]float32) }}

func simdMatMulNT(dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32) {
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
	simdTranspose(simdPtr(bt), simdPtr(b), int32(n), int32(k), int32(ldb), int32(np))
	simdGemmF32(simdPtr(dst), simdPtr(a), simdPtr(bt), int32(m), int32(n), int32(k),
		int32(lda), int32(np), PanelRows, int32(ldc), scale, nil, 1)
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
	simdLayerNormRaw(simdPtr(dst), simdPtr(src), int32(m), int32(n), simdPtr(gamma), simdPtr(beta), eps)
}

func simdGELUTanh(x []float32) {
	if len(x) == 0 {
		return
	}
	simdGELUTanhRaw(simdPtr(x), int32(len(x)))
}

func simdAdd(x, y []float32) {
	if len(x) == 0 {
		return
	}
	simdNeed("Add", "y", len(y), len(x))
	simdAddRaw(simdPtr(x), simdPtr(y), int32(len(x)))
}

func simdSoftmaxRows(x []float32, m, n int) {
	if m <= 0 || n <= 0 {
		return
	}
	simdNeed("SoftmaxRows", "x", len(x), m*n)
	simdSoftmaxRowsRaw(simdPtr(x), int32(m), int32(n), int32(n))
}

// simdAttention is Attention (same contract) from the simd products: per
// head, scores = Q_h·K_hᵀ/√hd (NT), softmax, dst_h = P·V_h (NN).
func simdAttention(dst []float32, dstStride int, q []float32, qStride int, k []float32, kStride int,
	v []float32, vStride int, sq, sk, heads, hd int, scores []float32) {
	if sq <= 0 || sk <= 0 || heads <= 0 {
		return
	}
	simdNeed("Attention", "scores", len(scores), heads*sq*sk)
	scale := float32(1 / math.Sqrt(float64(hd)))
	for h := 0; h < heads; h++ {
		s := scores[h*sq*sk : (h+1)*sq*sk]
		off := h * hd
		simdMatMulNT(s, sk, q[off:], qStride, k[off:], kStride, sq, sk, hd, scale)
		simdSoftmaxRows(s, sq, sk)
		simdMatMulNN(dst[off:], dstStride, s, sk, v[off:], vStride, sq, hd, sk, 1)
	}
}

// simdMatMulQ4 quantizes the activations per block of 32 as the reference
// does (quantize_blocks_q4; pure Go when K is not a whole number of
// blocks) and stores each block's even elements, then its odd ones: the order of a PackedQ4 block's low and high nibbles, which the
// kernel unpacks into two int8 vectors. The kernel's own scratch (per
// block, four outputs' f32 scales and unpacked weights: 144 bytes, once
// per thread that may take a share of the rows) follows the activations
// in s.Q. The kernel does four outputs at a time; a
// weight with N not a multiple of 4 (none in SigLIP) runs pure Go.
func simdMatMulQ4(dst, a []float32, m int, w *PackedQ4, bias []float32, s *Scratch) {
	if m <= 0 {
		return
	}
	if w.N%4 != 0 {
		matMulQ4Go(dst, a, m, w, bias, s)
		return
	}
	simdNeed("MatMulQ4", "a", len(a), m*w.K)
	simdNeed("MatMulQ4", "dst", len(dst), m*w.N)
	if bias != nil {
		simdNeed("MatMulQ4", "bias", len(bias), w.N)
	}
	if s == nil {
		s = new(Scratch)
	}
	simdNeed("MatMulQ4", "weight data", len(w.Data), w.N*w.Blocks*16)
	simdNeed("MatMulQ4", "scales", len(w.Scales), w.N*w.Blocks)
	kp := w.Blocks * Q4Block
	s.grow(m*kp+simdQ4Parts*w.Blocks*144, m*w.Blocks)
	q, sa := s.Q[:m*kp], s.Scale[:m*w.Blocks]
	if w.K == kp {
		simdQuantizeBlocksQ4(simdPtr(a), int32(m), int32(w.Blocks), simdPtr(q), simdPtr(sa))
	} else { // a partial last block: pure Go, the same values
		var blk [Q4Block]int8
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
	simdMatMulQ4Raw(simdPtr(dst), simdPtr(q), simdPtr(sa), int32(m), simdPtr(w.Data), simdPtr(w.Scales),
		simdPtr(bias), int32(w.N), int32(w.Blocks), simdPtr(s.Q[m*kp:]), int32(simdQ4Parts))
}
