//go:build js && wasm && simd

package kernel

import "unsafe"

// What the host offers, asked once by wasmForms through the "kernelhost"
// imports (web/kernels/loader.mjs answers for one thread,
// web/threads/threaded.mjs for kernel workers on a shared memory).

// hostSIMD: 1 when the simd128 module was instantiated.
//
//go:wasmimport kernelhost simd
func hostSIMD() int32

// hostRelaxed: 1 when the relaxed-SIMD module (simd_relaxed.wasm) was
// instantiated too, so its exports may be called.
//
//go:wasmimport kernelhost relaxed
func hostRelaxed() int32

// hostThreads: how many threads run kernel calls (1: only Go's).
//
//go:wasmimport kernelhost threads
func hostThreads() int32

// hostMinSplitWork: the host's override of defaultMinSplitWork (a test
// asks for 0, every call split), or -1.
//
//go:wasmimport kernelhost min_split_work
func hostMinSplitWork() int32

// A split call: split_begin, then part 0's kernel calls, split_next,
// part 1's calls, …, split_end. The host records the calls of each part
// instead of running them and, at split_end, runs part i on kernel thread
// i (part 0 on Go's), returning once all are done. Parts must not overlap
// in what they write.
//
//go:wasmimport kernelhost split_begin
func hostSplitBegin()

//go:wasmimport kernelhost split_next
func hostSplitNext()

//go:wasmimport kernelhost split_end
func hostSplitEnd()

// maxKernelThreads bounds the kernel threads (web/threads/control.mjs's
// MAX_THREADS).
const maxKernelThreads = 16

// defaultMinSplitWork: calls with fewer multiply-adds stay on Go's thread
// (a split costs a few microseconds).
const defaultMinSplitWork = 1 << 18

// elementWork weighs an element of a row op (softmax, layernorm, GELU)
// against a multiply-add for the split threshold.
const elementWork = 8

var kthreads = 1 // set by wasmForms
var kminWork = defaultMinSplitWork

// simdTile is the matmul kernels' row tile: their splits start on tile
// boundaries.
const simdTile = 5

// q4TmpBytes: matmul_q4's scratch per block (four outputs' f32 scales and
// 4×32 unpacked weights widened to int16).
const q4TmpBytes = 272

// matmul_q4x4's tile: q4xRows rows × q4xOutputs outputs; its scratch per
// block (the outputs' f32 scales and 32 nibbles each, laid out for the
// relaxed dot), and per call q4xTileBytes for a tile's sums.
const (
	q4xRows      = 4
	q4xOutputs   = 8
	q4xTmpBytes  = 36 * q4xOutputs
	q4xTileBytes = 4 * q4xRows * q4xOutputs
)

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
	return max(simdTile, simdBlockBytes/rowBytes/simdTile*simdTile)
}

// splitRows runs part over [0, n) split into up to kthreads ranges, each a
// multiple of align long (but the last), one per kernel thread, when the
// call has at least kminWork of work and n ≥ minN; otherwise as one range
// on Go's thread. Every split is by whole rows (or aligned elements), so
// every output is computed by the same instructions as in one call: int8
// results are bit-identical and f32 results identical too.
func splitRows(n, align, work, minN int, part func(lo, hi int)) {
	splitRowsIndexed(n, align, work, minN, func(_, lo, hi int) { part(lo, hi) })
}

// splitRowsIndexed is splitRows telling each part its index (< kthreads),
// e.g. to pick its own scratch.
func splitRowsIndexed(n, align, work, minN int, part func(i, lo, hi int)) {
	if kthreads < 2 || work < kminWork || n < minN {
		part(0, 0, n)
		return
	}
	per := (n + kthreads*align - 1) / (kthreads * align) * align
	if per >= n {
		part(0, 0, n)
		return
	}
	hostSplitBegin()
	for i, lo := 0, 0; lo < n; i, lo = i+1, lo+per {
		if i > 0 {
			hostSplitNext()
		}
		part(i, lo, min(n, lo+per))
	}
	hostSplitEnd()
}

// simdGemm runs gemm_f32 (one of its forms) on dst[m][n] = scale·A·B +
// bias: split by rows over the kernel threads, or, when there are few rows
// (the text tower's short sequences, the pooling head), by whole 8-column
// panels; each part walks its rows in L2-sized blocks. Arguments as
// gemm_f32's (strides in floats).
func simdGemm(gemm gemmFn, dst, a, b unsafe.Pointer, m, n, k, lda, ldbk, ldbp, ldc int, scale float32, bias unsafe.Pointer, bpad int32) {
	rb := simdRowBlock(4 * k)
	rows := func(lo, hi int) {
		for r0 := lo; r0 < hi; r0 += rb {
			gemm(unsafe.Add(dst, 4*r0*ldc), unsafe.Add(a, 4*r0*lda), b, int32(min(rb, hi-r0)), int32(n), int32(k),
				int32(lda), int32(ldbk), int32(ldbp), int32(ldc), scale, bias, bpad)
		}
	}
	if m >= 2*simdTile*kthreads || n < 2*PanelRows || kthreads < 2 || m*n*k < kminWork {
		splitRows(m, simdTile, m*n*k, 2*simdTile, rows)
		return
	}
	splitRows(panels(n), 1, m*n*k, 2, func(p0, p1 int) {
		j0, j1 := p0*PanelRows, min(n, p1*PanelRows)
		pb := bias
		if bias != nil {
			pb = unsafe.Add(bias, 4*j0)
		}
		for r0 := 0; r0 < m; r0 += rb {
			gemm(unsafe.Add(dst, 4*(r0*ldc+j0)), unsafe.Add(a, 4*r0*lda), unsafe.Add(b, 4*p0*ldbp), int32(min(rb, m-r0)), int32(j1-j0), int32(k),
				int32(lda), int32(ldbk), int32(ldbp), int32(ldc), scale, pb, bpad)
		}
	})
}
