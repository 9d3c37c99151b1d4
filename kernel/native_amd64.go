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
func q8DotAVX512(acc *[8][2 * PanelRows]int32, a *[8]*byte, w0, w1 *int8, nq int)

//go:noescape
func q8DotAVX2(acc *[4][PanelRows]int32, a *[4]*byte, w *int8, np int)

//go:noescape
func f32DotFMA(acc *[6][2 * PanelRows]float32, a *[6]*float32, w0, w1 *float32, k int)

//go:noescape
func dot32x4AVX2(out *[4]int32, a0, a1, a2, a3, w *int8)

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

func init() {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return
	}
	base := nativeKernels{f32Panels: f32PanelsFMA, gemm: f32GemmFMA, dot32x4: dot32x4AVX2,
		quantize: quantizeRowNative, expSubSum: expSubSumNative, geluTanh: geluTanhNative}
	quad := func(w *PackedQ8) bool { return w.Kp%4 == 0 }
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI {
		l := base
		l.name, l.corr, l.q8Prep, l.q8Panels, l.q8Ok = "avx512vnni", true, prepU8, q8PanelsAVX512, quad
		nativeLevels = append(nativeLevels, l)
	}
	if cpu.X86.HasAVXVNNI {
		l := base
		l.name, l.corr, l.q8Prep, l.q8Panels, l.q8Ok = "avxvnni", true, prepU8, q8PanelsAVXVNNI, quad
		nativeLevels = append(nativeLevels, l)
	}
	l := base
	l.name, l.q8Prep, l.q8Panels, l.q8Ok = "avx2", prepI16, q8PanelsAVX2, func(*PackedQ8) bool { return true }
	nativeLevels = append(nativeLevels, l)
	pickNative()
}

// prepU8 stores qa+128 as unsigned bytes (flipping the sign bit).
func prepU8(buf *[]byte, qa []int8) []byte {
	b := growBytes(buf, len(qa))
	for i, v := range qa {
		b[i] = byte(v) ^ 0x80
	}
	return b
}

// prepI16 widens qa to little-endian int16 (what VPMADDWD reads).
func prepI16(buf *[]byte, qa []int8) []byte {
	b := growBytes(buf, 2*len(qa))
	for i, v := range qa {
		u := uint16(int16(v))
		b[2*i], b[2*i+1] = byte(u), byte(u>>8)
	}
	return b
}

func growBytes(buf *[]byte, n int) []byte {
	if cap(*buf) < n {
		*buf = make([]byte, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

func q8PanelsAVXVNNI(dst []float32, qa []byte, sa []float32, m int, w *PackedQ8, bias []float32, plo, phi int) {
	Kp, N := w.Kp, w.N
	var acc [4][PanelRows]int32
	var ptr [4]*byte
	for r0 := 0; r0 < m; r0 += q8RowBlock {
		r1 := min(r0+q8RowBlock, m)
		for p := plo; p < phi; p++ {
			wp := &w.Data[p*Kp*PanelRows]
			for r := r0; r < r1; r += 4 {
				for i := range ptr {
					ptr[i] = &qa[min(r+i, r1-1)*Kp]
				}
				q8DotAVXVNNI(&acc, &ptr, wp, Kp/4)
				for i := 0; i < 4 && r+i < r1; i++ {
					storeQ8Native(dst[(r+i)*N:(r+i+1)*N], &acc[i], w.corr, sa[r+i], w.Scales, p, bias)
				}
			}
		}
	}
}

func q8PanelsAVX512(dst []float32, qa []byte, sa []float32, m int, w *PackedQ8, bias []float32, plo, phi int) {
	Kp, N := w.Kp, w.N
	var acc [8][2 * PanelRows]int32
	var ptr [8]*byte
	for r0 := 0; r0 < m; r0 += q8RowBlock {
		r1 := min(r0+q8RowBlock, m)
		for p := plo; p < phi; p += 2 {
			p1 := min(p+1, phi-1) // an odd last panel pairs with itself
			w0, w1 := &w.Data[p*Kp*PanelRows], &w.Data[p1*Kp*PanelRows]
			for r := r0; r < r1; r += 8 {
				for i := range ptr {
					ptr[i] = &qa[min(r+i, r1-1)*Kp]
				}
				q8DotAVX512(&acc, &ptr, w0, w1, Kp/4)
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

func q8PanelsAVX2(dst []float32, qa []byte, sa []float32, m int, w *PackedQ8, bias []float32, plo, phi int) {
	Kp, N := w.Kp, w.N
	var acc [4][PanelRows]int32
	var ptr [4]*byte
	for r0 := 0; r0 < m; r0 += q8RowBlock {
		r1 := min(r0+q8RowBlock, m)
		for p := plo; p < phi; p++ {
			wp := &w.Data[p*Kp*PanelRows]
			for r := r0; r < r1; r += 4 {
				for i := range ptr {
					ptr[i] = &qa[2*min(r+i, r1-1)*Kp]
				}
				q8DotAVX2(&acc, &ptr, wp, Kp/2)
				for i := 0; i < 4 && r+i < r1; i++ {
					storeQ8Native(dst[(r+i)*N:(r+i+1)*N], &acc[i], nil, sa[r+i], w.Scales, p, bias)
				}
			}
		}
	}
}

func f32PanelsFMA(dst, a []float32, m int, w *PackedF32, bias []float32, plo, phi int) {
	f32GemmFMA(dst, w.N, a, w.K, m, w.Data, w.N, w.K, bias, plo, phi)
}

// f32GemmFMA computes dst[r*ldc + n] = Σ_k a[r*lda + k]·W[n][k] (+ bias[n])
// for rows r < m and the outputs of panels [plo, phi) of wd, a weight
// W[n][k] in PackedF32's panel layout.
func f32GemmFMA(dst []float32, ldc int, a []float32, lda, m int, wd []float32, n, k int, bias []float32, plo, phi int) {
	if m <= 0 || k <= 0 {
		return
	}
	_ = a[(m-1)*lda+k-1]
	_ = dst[(m-1)*ldc+n-1]
	_ = wd[phi*k*PanelRows-1]
	var acc [6][2 * PanelRows]float32
	var ptr [6]*float32
	for r0 := 0; r0 < m; r0 += f32RowBlock {
		r1 := min(r0+f32RowBlock, m)
		for p := plo; p < phi; p += 2 {
			p1 := min(p+1, phi-1)
			w0, w1 := &wd[p*k*PanelRows], &wd[p1*k*PanelRows]
			for r := r0; r < r1; r += 6 {
				for i := range ptr {
					ptr[i] = &a[min(r+i, r1-1)*lda]
				}
				f32DotFMA(&acc, &ptr, w0, w1, k)
				for i := 0; i < 6 && r+i < r1; i++ {
					drow := dst[(r+i)*ldc : (r+i)*ldc+n]
					store8(drow, acc[i][:PanelRows], p, bias)
					if p1 != p {
						store8(drow, acc[i][PanelRows:], p1, bias)
					}
				}
			}
		}
	}
}
