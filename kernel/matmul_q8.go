package kernel

// Scratch holds the per-call working memory of MatMulQ8 (the quantized
// activations and their row scales). A plan keeps one per thread of
// execution; it grows on first use and is reused after, so steady-state
// calls allocate nothing.
type Scratch struct {
	Q     []int8
	Scale []float32

	// the native kernels' forms of the activations (native.go)
	native []byte
	q4at   []int8
	q4sa   []float32
	q4corr []int32
}

func (s *Scratch) grow(nq, ns int) {
	if cap(s.Q) < nq {
		s.Q = make([]int8, nq)
	}
	if cap(s.Scale) < ns {
		s.Scale = make([]float32, ns)
	}
	s.Q, s.Scale = s.Q[:nq], s.Scale[:ns]
}

// MatMulQ8 computes dst[m][N] = a[m][K]·Wᵀ + bias with the int8 semantics
// of the package doc, bit-identical to RefMatMulQ8. s supplies scratch
// memory (grown on first use).
func MatMulQ8(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch) {
	if active.matMulQ8 != nil {
		active.matMulQ8(dst, a, m, w, bias, s)
		return
	}
	matMulQ8Go(dst, a, m, w, bias, s)
}

// matMulQ8Go is MatMulQ8 in pure Go.
func matMulQ8Go(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch) {
	if m <= 0 {
		return
	}
	_ = a[m*w.K-1]
	_ = dst[m*w.N-1]
	s.grow(m*w.Kp, m)
	for r := 0; r < m; r++ {
		q := s.Q[r*w.Kp : (r+1)*w.Kp]
		s.Scale[r] = QuantizeRow(q[:w.K], a[r*w.K:(r+1)*w.K])
		for k := w.K; k < w.Kp; k++ {
			q[k] = 0
		}
	}
	np := panels(w.N)
	minPanels := 1 + 65536/(m*w.Kp*PanelRows+1)
	parallel(task{op: opMatQ8, dst: dst, qa: s.Q, b: s.Scale, m: m, wq: w, bias: bias}, np, minPanels)
}

func matQ8Panels(dst []float32, qa []int8, sa []float32, m int, w *PackedQ8, bias []float32, plo, phi int) {
	Kp, N := w.Kp, w.N
	var acc [2 * PanelRows]int32
	for p := plo; p < phi; p++ {
		wp := w.Data[p*Kp*PanelRows : (p+1)*Kp*PanelRows]
		r := 0
		for ; r+2 <= m; r += 2 {
			qa0, qb0 := qa[r*Kp:(r+1)*Kp], qa[(r+1)*Kp:(r+2)*Kp]
			dotQ8x2x4(acc[0:4:4], acc[8:12:12], qa0, qb0, wp)
			dotQ8x2x4(acc[4:8:8], acc[12:16:16], qa0, qb0, wp[8:])
			storeQ8(dst[r*N:(r+1)*N], acc[:PanelRows], sa[r], w.Scales, p, bias)
			storeQ8(dst[(r+1)*N:(r+2)*N], acc[PanelRows:], sa[r+1], w.Scales, p, bias)
		}
		for ; r < m; r++ {
			q := qa[r*Kp : (r+1)*Kp]
			dotQ8x2x4(acc[0:4:4], acc[8:12:12], q, q, wp)
			dotQ8x2x4(acc[4:8:8], acc[12:16:16], q, q, wp[8:])
			storeQ8(dst[r*N:(r+1)*N], acc[:PanelRows], sa[r], w.Scales, p, bias)
		}
	}
}

// dotQ8x2x4 accumulates two quantized rows against four rows of a panel
// (wp starts at the first of them): exact int32 sums, any order.
func dotQ8x2x4(accA, accB []int32, a, b []int8, wp []int8) {
	var s0, s1, s2, s3, t0, t1, t2, t3 int32
	half := len(a) / 2
	b = b[:len(a)]
	if half == 0 {
		return
	}
	wp = wp[:(half-1)*16+8]
	for kk := 0; kk < half; kk++ {
		x := a[2*kk : 2*kk+2 : 2*kk+2]
		y := b[2*kk : 2*kk+2 : 2*kk+2]
		v := wp[kk*16 : kk*16+8 : kk*16+8]
		x0, x1, y0, y1 := int32(x[0]), int32(x[1]), int32(y[0]), int32(y[1])
		w0, w1 := int32(v[0]), int32(v[1])
		s0 += x0*w0 + x1*w1
		t0 += y0*w0 + y1*w1
		w0, w1 = int32(v[2]), int32(v[3])
		s1 += x0*w0 + x1*w1
		t1 += y0*w0 + y1*w1
		w0, w1 = int32(v[4]), int32(v[5])
		s2 += x0*w0 + x1*w1
		t2 += y0*w0 + y1*w1
		w0, w1 = int32(v[6]), int32(v[7])
		s3 += x0*w0 + x1*w1
		t3 += y0*w0 + y1*w1
	}
	accA[0], accA[1], accA[2], accA[3] = s0, s1, s2, s3
	accB[0], accB[1], accB[2], accB[3] = t0, t1, t2, t3
}

func storeQ8(drow []float32, acc []int32, sa float32, scales []float32, p int, bias []float32) {
	n0 := p * PanelRows
	for j := 0; j < PanelRows && n0+j < len(drow); j++ {
		// Same operation order and roundings as RefMatMulQ8.
		y := float32(float32(acc[j]) * float32(sa*scales[n0+j]))
		if bias != nil {
			y += bias[n0+j]
		}
		drow[n0+j] = y
	}
}
