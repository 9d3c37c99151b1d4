//go:build js && wasm && simd

package kernel

import "syscall/js"

// With kernel worker threads (web/threads/threaded.mjs sets
// globalThis.siglipKernelThreads before Go starts), the matrix products
// make one kernel call for all their rows instead of one per L2-sized row
// block: the JS side then splits the rows evenly over the threads (a block
// of 85 rows splits 45/40, all 256 rows 130/126) and each thread walks its
// own rows in the same L2-sized blocks (web/threads/ops.mjs), with a
// quarter of the cross-thread calls. Results are unchanged: rows are
// independent, and each row is computed by the same instructions.
func init() {
	if simd.matMulQ8 == nil {
		return
	}
	t := js.Global().Get("siglipKernelThreads")
	if t.Type() != js.TypeNumber || t.Int() < 2 {
		return
	}
	simd.matMulQ8 = threadedMatMulQ8
	simd.matMulF32 = threadedMatMulF32
	// matmul_q4 is one call already; the JS side splits its rows, each
	// part with its own scratch (web/threads/ops.mjs).
	simdQ4Parts = min(t.Int(), 16)
}

func threadedMatMulQ8(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch) {
	if m <= 0 {
		return
	}
	s = checkMatMulQ8(dst, a, m, w, bias, s)
	if simdQuad && w.corr == nil {
		w.Prepare() // as simdMatMulQ8: a PackedQ8 not made by PackQ8
	}
	if w.corr != nil { // the 4-wide relaxed dot (simdMatMulQ8Quad), one call
		simdNeed("MatMulQ8", "row sums", len(w.corr), w.N)
		s.grow(m*w.Kp, m)
		q, sa := s.Q, s.Scale
		simdQuantizeRowsU8(simdPtr(a), int32(m), int32(w.K), int32(w.Kp), simdPtr(q), simdPtr(sa))
		simdMatMulQ8x4Raw(simdPtr(dst), simdPtr(q), simdPtr(sa), int32(m),
			simdPtr(w.Data), simdPtr(w.Scales), simdPtr(w.corr), simdPtr(bias), int32(w.N), int32(w.Kp))
		return
	}
	s.grow(2*m*w.Kp, m)
	q, sa := s.Q, s.Scale
	simdQuantizeRows(simdPtr(a), int32(m), int32(w.K), int32(w.Kp), simdPtr(q), simdPtr(sa))
	simdMatMulQ8Raw(simdPtr(dst), simdPtr(q), simdPtr(sa), int32(m),
		simdPtr(w.Data), simdPtr(w.Scales), simdPtr(bias), int32(w.N), int32(w.Kp))
}

func threadedMatMulF32(dst, a []float32, m int, w *PackedF32, bias []float32) {
	if m <= 0 {
		return
	}
	checkMatMulF32(dst, a, m, w, bias)
	simdGemmF32(simdPtr(dst), simdPtr(a), simdPtr(w.Data), int32(m), int32(w.N), int32(w.K),
		int32(w.K), PanelRows, int32(PanelRows*w.K), int32(w.N), 1, simdPtr(bias), 1)
}
