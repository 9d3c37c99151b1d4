package kernel

import "golang.org/x/sys/cpu"

// The arm64 levels, best first: NEON with SDOT (ARMv8.2 dot product: 16
// int8 MACs per instruction on both operands signed, so no correction) and
// plain NEON (int16 SMLAL). Both use the NEON FMLA f32 kernel; the row
// operations (quantization, exp) stay in Go.

//go:noescape
func q8DotSDOT(acc *[4][PanelRows]int32, a *[4]*byte, w *int8, nq int)

//go:noescape
func q8DotNEON(acc *[4][PanelRows]int32, a *[4]*byte, w *int8, np int)

//go:noescape
func q4RowSDOT(y *float32, wq *byte, sw *float32, at *int8, sa *float32, corr *int32, groups, blocks int)

//go:noescape
func f32DotNEON(acc *[8][2 * PanelRows]float32, a *[8]*float32, w0, w1 *float32, k int, st *f32Store)

// nativeProbe lists the levels this CPU runs, best first.
func nativeProbe() []*nativeKernels {
	var nativeLevels []*nativeKernels
	gemm := f32Gemm(f32DotNEON, 6, false)
	base := nativeKernels{f32Panels: f32Panels(gemm), gemm: gemm, quantize: QuantizeRow}
	if cpu.ARM64.HasASIMDDP {
		l := base
		l.name, l.q8Panels, l.q8Ok = "neon-sdot", q8Panels4(q8DotSDOT, false, 1, 4), func(w *PackedQ8) bool { return w.Kp%4 == 0 }
		l.q4, l.q4G = q4RowSDOT, 4
		nativeLevels = append(nativeLevels, &l)
	}
	l := base
	l.name, l.q8Prep, l.q8Panels, l.q8Ok = "neon", prepI16, q8Panels4(q8DotNEON, false, 2, 2), anyQ8
	nativeLevels = append(nativeLevels, &l)
	return nativeLevels
}
