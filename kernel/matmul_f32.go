package kernel

// MatMulF32 computes dst[m][N] = a[m][K]·Wᵀ + bias (bias may be nil) for a
// packed weight w (N×K). dst must not overlap a. Summation is in float32,
// in k order, with separate multiply and add (the reference sums in
// float64; the two agree within 1e-5 relative on well-conditioned data).
// Panels are split across goroutines; nothing is allocated.
func MatMulF32(dst, a []float32, m int, w *PackedF32, bias []float32) {
	if active.matMulF32 != nil {
		active.matMulF32(dst, a, m, w, bias)
		return
	}
	if m <= 0 {
		return
	}
	_ = a[m*w.K-1]
	_ = dst[m*w.N-1]
	np := panels(w.N)
	// Aim for ~64k multiply-adds per part so tiny products stay inline.
	minPanels := 1 + 65536/(m*w.K*PanelRows+1)
	parallel(task{op: opMatF32, dst: dst, a: a, m: m, wf: w, bias: bias}, np, minPanels)
}

// f32RowBlock is how many activation rows are kept hot (in L2) while the
// panels sweep over them.
const f32RowBlock = 32

func matF32Panels(dst, a []float32, m int, w *PackedF32, bias []float32, plo, phi int) {
	K, N := w.K, w.N
	var acc [2 * PanelRows]float32
	for r0 := 0; r0 < m; r0 += f32RowBlock {
		r1 := min(r0+f32RowBlock, m)
		for p := plo; p < phi; p++ {
			wp := w.Data[p*K*PanelRows : (p+1)*K*PanelRows]
			r := r0
			for ; r+2 <= r1; r += 2 {
				dot2x4(acc[0:4:4], acc[8:12:12], a[r*K:(r+1)*K], a[(r+1)*K:(r+2)*K], wp)
				dot2x4(acc[4:8:8], acc[12:16:16], a[r*K:(r+1)*K], a[(r+1)*K:(r+2)*K], wp[4:])
				store8(dst[r*N:(r+1)*N], acc[:PanelRows], p, bias)
				store8(dst[(r+1)*N:(r+2)*N], acc[PanelRows:], p, bias)
			}
			for ; r < r1; r++ {
				dot1x8(&acc, a[r*K:(r+1)*K], wp)
				store8(dst[r*N:(r+1)*N], acc[:PanelRows], p, bias)
			}
		}
	}
}

func store8(drow, acc []float32, p int, bias []float32) {
	n0 := p * PanelRows
	for j := 0; j < PanelRows && n0+j < len(drow); j++ {
		v := acc[j]
		if bias != nil {
			v += bias[n0+j]
		}
		drow[n0+j] = v
	}
}

func dot1x8(acc *[2 * PanelRows]float32, a, wp []float32) {
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	wp = wp[:len(a)*PanelRows]
	for k, av := range a {
		w := wp[k*PanelRows : k*PanelRows+PanelRows : k*PanelRows+PanelRows]
		s0 += av * w[0]
		s1 += av * w[1]
		s2 += av * w[2]
		s3 += av * w[3]
		s4 += av * w[4]
		s5 += av * w[5]
		s6 += av * w[6]
		s7 += av * w[7]
	}
	acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7] = s0, s1, s2, s3, s4, s5, s6, s7
}

// dot2x4 accumulates two activation rows against four columns of a panel
// (wp starts at the first column): 8 accumulators, 2 activations and 4
// weights fit amd64's 15 usable float registers without spilling.
func dot2x4(accA, accB, a, b, wp []float32) {
	var s0, s1, s2, s3, t0, t1, t2, t3 float32
	b = b[:len(a)]
	if len(a) == 0 {
		return
	}
	wp = wp[:(len(a)-1)*PanelRows+4]
	for k, av := range a {
		bv := b[k]
		w := wp[k*PanelRows : k*PanelRows+4 : k*PanelRows+4]
		w0, w1, w2, w3 := w[0], w[1], w[2], w[3]
		s0 += av * w0
		s1 += av * w1
		s2 += av * w2
		s3 += av * w3
		t0 += bv * w0
		t1 += bv * w1
		t2 += bv * w2
		t3 += bv * w3
	}
	accA[0], accA[1], accA[2], accA[3] = s0, s1, s2, s3
	accB[0], accB[1], accB[2], accB[3] = t0, t1, t2, t3
}
