package kernel

import "golang.org/x/sys/cpu"

// The amd64 levels, best first: AVX-512 VNNI (two panels per 512-bit
// VPDPBUSD, eight rows), AVX-VNNI (VEX VPDPBUSD, one panel, four rows),
// AVX2 (sign-extended VPMADDWD, four rows). The VNNI forms multiply
// unsigned bytes by signed bytes, so activations go in as qa+128 and
// 128·Σ_k Q[n][k] (PackedQ8.corr) comes off: exact, as every form.
// All levels use the AVX2+FMA f32 kernel.

//go:noescape
func q8DotAVXVNNI(acc *[4][PanelRows]int32, a *[4]*byte, w *int8, nq int)

//go:noescape
func q8DotAVX512(acc *[8][2 * PanelRows]int32, a *[8]*byte, w0, w1 *int8, nq int, st *q8Store)

// q8Store is where q8DotAVX512 finishes eight rows of two full panels
// itself (field offsets are the assembly's: dst 0, sa 64, corr 96,
// scales 104, bias 112).
type q8Store struct {
	dst    [8]*float32
	sa     [8]float32
	corr   *int32
	scales *float32
	bias   *float32
}

//go:noescape
func q8DotAVX2(acc *[4][PanelRows]int32, a *[4]*byte, w *int8, np int)

//go:noescape
func f32DotAVX512(acc *[8][2 * PanelRows]float32, a *[8]*float32, w0, w1 *float32, k int, st *f32Store)

//go:noescape
func f32DotFMA(acc *[8][2 * PanelRows]float32, a *[8]*float32, w0, w1 *float32, k int, st *f32Store)

//go:noescape
func q4RowAVX512(y *float32, wq *byte, sw *float32, at *int8, sa *float32, corr *int32, groups, blocks int)

//go:noescape
func q4RowAVX2(y *float32, wq *byte, sw *float32, at *int8, sa *float32, corr *int32, groups, blocks int)

//go:noescape
func expSubSumAVX2(x *float32, n int, sub float32) float32

//go:noescape
func geluTanhAVX2(x *float32, n int)

//go:noescape
func absMaxAVX2(a *float32, n int) float32

//go:noescape
func quantRowAVX2(q *int8, a *float32, n int, inv float32)

// The row operations on 8-lane vectors; the last len%8 values go
// through the Go helpers of native.go.

func expSubSumNative(x []float32, sub float32) float32 {
	n8 := len(x) &^ 7
	var s float32
	if n8 > 0 {
		s = expSubSumAVX2(&x[0], n8, sub)
	}
	return s + expSubSumTail(x[n8:], sub)
}

func geluTanhNative(x []float32) {
	n8 := len(x) &^ 7
	if n8 > 0 {
		geluTanhAVX2(&x[0], n8)
	}
	geluTanh(x[n8:])
}

func quantizeRowNative(q []int8, a []float32) float32 {
	n8 := len(a) &^ 7
	if n8 == 0 {
		return QuantizeRow(q, a)
	}
	q = q[:len(a)]
	amax := max(absMaxAVX2(&a[0], n8), absMax(a[n8:]))
	if amax == 0 {
		clear(q)
		return 0
	}
	inv := 127 / amax
	quantRowAVX2(&q[0], &a[0], n8, inv)
	quantizeTail(q[n8:], a[n8:], inv)
	return amax / 127
}

// nativeProbe lists the levels this CPU runs, best first.
func nativeProbe() []*nativeKernels {
	var nativeLevels []*nativeKernels
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return nil
	}
	gemm := f32Gemm(f32DotFMA, 6, true)
	base := nativeKernels{f32Panels: f32Panels(gemm), gemm: gemm, q4: q4RowAVX2, q4G: 8, q4U8: true,
		quantize: quantizeRowNative, expSubSum: expSubSumNative, geluTanh: geluTanhNative}
	quad := func(w *PackedQ8) bool { return w.Kp%4 == 0 }
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI {
		l := base
		l.name, l.corr, l.q8Prep, l.q8Panels, l.q8Ok = "avx512vnni", true, prepU8, q8PanelsAVX512, quad
		l.q4, l.q4G = q4RowAVX512, 16
		l.gemm = f32Gemm(f32DotAVX512, 8, true)
		l.f32Panels = f32Panels(l.gemm)
		nativeLevels = append(nativeLevels, &l)
	}
	if cpu.X86.HasAVXVNNI {
		l := base
		l.name, l.corr, l.q8Prep, l.q8Panels, l.q8Ok = "avxvnni", true, prepU8, q8Panels4(q8DotAVXVNNI, true, 1, 4), quad
		nativeLevels = append(nativeLevels, &l)
	}
	l := base
	l.name, l.q8Prep, l.q8Panels, l.q8Ok = "avx2", prepI16, q8Panels4(q8DotAVX2, false, 2, 2), anyQ8
	nativeLevels = append(nativeLevels, &l)
	return nativeLevels
}

func q8PanelsAVX512(dst []float32, qa []byte, sa []float32, m int, w *PackedQ8, bias []float32, plo, phi int) {
	Kp, N := w.Kp, w.N
	_ = qa[m*Kp-1]
	_ = w.Data[phi*Kp*PanelRows-1]
	_ = dst[m*N-1]
	_ = sa[m-1]
	_ = w.corr[N-1]
	var acc [8][2 * PanelRows]int32
	var ptr [8]*byte
	var st q8Store
	for r0 := 0; r0 < m; r0 += q8RowBlock {
		r1 := min(r0+q8RowBlock, m)
		for p := plo; p < phi; p += 2 {
			p1 := min(p+1, phi-1) // an odd last panel pairs with itself
			w0, w1 := &w.Data[p*Kp*PanelRows], &w.Data[p1*Kp*PanelRows]
			full := p1 == p+1 && (p+2)*PanelRows <= N
			if full {
				n0 := p * PanelRows
				st.corr, st.scales = &w.corr[n0:][:2*PanelRows][0], &w.Scales[n0:][:2*PanelRows][0]
				st.bias = &negZero16[0]
				if bias != nil {
					st.bias = &bias[n0:][:2*PanelRows][0]
				}
			}
			for r := r0; r < r1; r += 8 {
				for i := range ptr {
					ptr[i] = &qa[min(r+i, r1-1)*Kp]
				}
				if full && r+8 <= r1 {
					for i := range st.dst {
						st.dst[i] = &dst[(r+i)*N+p*PanelRows]
						st.sa[i] = sa[r+i]
					}
					q8DotAVX512(&acc, &ptr, w0, w1, Kp/4, &st)
					continue
				}
				q8DotAVX512(&acc, &ptr, w0, w1, Kp/4, nil)
				for i := 0; i < 8 && r+i < r1; i++ {
					drow := dst[(r+i)*N : (r+i+1)*N]
					storeQ8Native(drow, (*[PanelRows]int32)(acc[i][:PanelRows]), w.corr, sa[r+i], w.Scales, p, bias)
					if p1 != p {
						storeQ8Native(drow, (*[PanelRows]int32)(acc[i][PanelRows:]), w.corr, sa[r+i], w.Scales, p1, bias)
					}
				}
			}
		}
	}
}
