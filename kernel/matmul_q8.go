package kernel

// Scratch holds the per-call working memory of MatMulQ8 (the quantized
// activations and their row scales). A plan keeps one per thread of
// execution; it grows on first use and is reused after, so steady-state
// calls allocate nothing.
type Scratch struct {
	Q     []int8
	Scale []float32
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
	half := Kp / 2
	for p := plo; p < phi; p++ {
		wp := w.Data[p*Kp*PanelRows : (p+1)*Kp*PanelRows]
		for r := 0; r < m; r++ {
			q := qa[r*Kp : (r+1)*Kp]
			var s0, s1, s2, s3, s4, s5, s6, s7 int32
			for kk := 0; kk < half; kk++ {
				x0, x1 := int32(q[2*kk]), int32(q[2*kk+1])
				v := wp[kk*16 : kk*16+16 : kk*16+16]
				s0 += x0*int32(v[0]) + x1*int32(v[1])
				s1 += x0*int32(v[2]) + x1*int32(v[3])
				s2 += x0*int32(v[4]) + x1*int32(v[5])
				s3 += x0*int32(v[6]) + x1*int32(v[7])
				s4 += x0*int32(v[8]) + x1*int32(v[9])
				s5 += x0*int32(v[10]) + x1*int32(v[11])
				s6 += x0*int32(v[12]) + x1*int32(v[13])
				s7 += x0*int32(v[14]) + x1*int32(v[15])
			}
			acc := [PanelRows]int32{s0, s1, s2, s3, s4, s5, s6, s7}
			drow := dst[r*N : (r+1)*N]
			n0 := p * PanelRows
			for j := 0; j < PanelRows && n0+j < N; j++ {
				// Same operation order and roundings as RefMatMulQ8.
				y := float32(float32(acc[j]) * float32(sa[r]*w.Scales[n0+j]))
				if bias != nil {
					y += bias[n0+j]
				}
				drow[n0+j] = y
			}
		}
	}
}
