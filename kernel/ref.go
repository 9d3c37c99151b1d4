package kernel

import "math"

// The reference kernels: plain loops that define the semantics every
// optimised form must reproduce (bit-exactly for int8, within 1e-5
// relative for f32). They allocate; they are for tests, not for the plan.

// RefMatMulF32 computes dst[m][n] = Σ_k a[m][k]·W[n][k] + bias[n]
// (bias may be nil), accumulating in float64.
func RefMatMulF32(dst, a []float32, m int, w *PackedF32, bias []float32) {
	for r := 0; r < m; r++ {
		for n := 0; n < w.N; n++ {
			var s float64
			for k := 0; k < w.K; k++ {
				s += float64(a[r*w.K+k]) * float64(w.At(n, k))
			}
			if bias != nil {
				s += float64(bias[n])
			}
			dst[r*w.N+n] = float32(s)
		}
	}
}

// QuantizeRow quantizes one activation row as the package doc specifies,
// writing len(a) int8s into q (the caller zeroes any padding) and returning
// the row scale sa.
func QuantizeRow(q []int8, a []float32) float32 {
	var amax float32
	for _, v := range a {
		if v < 0 {
			v = -v
		}
		if v > amax {
			amax = v
		}
	}
	if amax == 0 {
		for i := range a {
			q[i] = 0
		}
		return 0
	}
	sa := amax / 127
	inv := 127 / amax
	for i, v := range a {
		x := math.RoundToEven(float64(float32(v * inv)))
		if x > 127 {
			x = 127
		} else if x < -127 {
			x = -127
		}
		q[i] = int8(x)
	}
	return sa
}

// RefMatMulQ8 is the reference for MatMulQ8.
func RefMatMulQ8(dst, a []float32, m int, w *PackedQ8, bias []float32) {
	q := make([]int8, w.K)
	for r := 0; r < m; r++ {
		sa := QuantizeRow(q, a[r*w.K:(r+1)*w.K])
		for n := 0; n < w.N; n++ {
			var acc int32
			for k := 0; k < w.K; k++ {
				acc += int32(q[k]) * int32(w.At(n, k))
			}
			y := float32(float32(acc) * float32(sa*w.Scales[n]))
			if bias != nil {
				y += bias[n]
			}
			dst[r*w.N+n] = y
		}
	}
}

// RefLayerNorm normalises each of the m rows of src[m][n] (mean and biased
// variance over the row, as torch.nn.LayerNorm) and applies gamma and beta.
func RefLayerNorm(dst, src []float32, m, n int, gamma, beta []float32, eps float32) {
	for r := 0; r < m; r++ {
		row := src[r*n : (r+1)*n]
		var mean, v float64
		for _, x := range row {
			mean += float64(x)
		}
		mean /= float64(n)
		for _, x := range row {
			d := float64(x) - mean
			v += d * d
		}
		v /= float64(n)
		inv := 1 / math.Sqrt(v+float64(eps))
		for i, x := range row {
			dst[r*n+i] = float32((float64(x)-mean)*inv*float64(gamma[i]) + float64(beta[i]))
		}
	}
}

// RefGELUTanh applies gelu_pytorch_tanh in place:
// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
func RefGELUTanh(x []float32) {
	for i, v := range x {
		f := float64(v)
		x[i] = float32(0.5 * f * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(f+0.044715*f*f*f))))
	}
}

// RefGELUErf applies the exact GELU in place: 0.5·x·(1 + erf(x/√2)).
func RefGELUErf(x []float32) {
	for i, v := range x {
		f := float64(v)
		x[i] = float32(0.5 * f * (1 + math.Erf(f/math.Sqrt2)))
	}
}

// RefSoftmaxRows applies a numerically stable softmax to each of the m
// rows of x[m][n], in place.
func RefSoftmaxRows(x []float32, m, n int) {
	for r := 0; r < m; r++ {
		row := x[r*n : (r+1)*n]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, float64(v))
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - mx)
		}
		for i, v := range row {
			row[i] = float32(math.Exp(float64(v)-mx) / s)
		}
	}
}
