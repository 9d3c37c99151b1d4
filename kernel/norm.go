package kernel

import "math"

// LayerNorm normalises each of the m rows of src[m][n] (mean and biased
// variance, as torch.nn.LayerNorm, accumulated in float64) and applies
// gamma and beta. dst may equal src.
func LayerNorm(dst, src []float32, m, n int, gamma, beta []float32, eps float32) {
	if active.layerNorm != nil {
		active.layerNorm(dst, src, m, n, gamma, beta, eps)
		return
	}
	if m <= 0 {
		return
	}
	_ = src[m*n-1]
	_ = dst[m*n-1]
	parallel(task{op: opLayerNorm, dst: dst, a: src, n: n, gamma: gamma, bias: beta, eps: eps}, m, 1+16384/(n+1))
}

func layerNormRows(dst, src []float32, lo, hi, n int, gamma, beta []float32, eps float32) {
	gamma, beta = gamma[:n], beta[:n]
	for r := lo; r < hi; r++ {
		row := src[r*n : (r+1)*n]
		out := dst[r*n : (r+1)*n]
		var mean float64
		for _, x := range row {
			mean += float64(x)
		}
		mean /= float64(n)
		var v float64
		for _, x := range row {
			d := float64(x) - mean
			v += d * d
		}
		v /= float64(n)
		inv := 1 / math.Sqrt(v+float64(eps))
		for i, x := range row {
			out[i] = float32((float64(x)-mean)*inv*float64(gamma[i]) + float64(beta[i]))
		}
	}
}

// GELUTanh applies gelu_pytorch_tanh in place (see RefGELUTanh).
func GELUTanh(x []float32) {
	if active.geluTanh != nil {
		active.geluTanh(x)
		return
	}
	parallel(task{op: opGELUTanh, dst: x}, len(x), 16384)
}

// GELUErf applies the exact, erf-based GELU in place (see RefGELUErf).
func GELUErf(x []float32) {
	parallel(task{op: opGELUErf, dst: x}, len(x), 16384)
}

func geluTanh(x []float32) {
	const c = 0.7978845608028654 // √(2/π)
	for i, v := range x {
		f := float64(v)
		x[i] = float32(0.5 * f * (1 + math.Tanh(c*(f+0.044715*f*f*f))))
	}
}

func geluErf(x []float32) {
	for i, v := range x {
		f := float64(v)
		x[i] = float32(0.5 * f * (1 + math.Erf(f/math.Sqrt2)))
	}
}

// SoftmaxRows applies a numerically stable softmax to each of the m rows
// of x[m][n], in place.
func SoftmaxRows(x []float32, m, n int) {
	if active.softmaxRows != nil {
		active.softmaxRows(x, m, n)
		return
	}
	if m <= 0 {
		return
	}
	_ = x[m*n-1]
	parallel(task{op: opSoftmax, dst: x, n: n}, m, 1+16384/(n+1))
}

func softmaxRows(x []float32, lo, hi, n int) {
	for r := lo; r < hi; r++ {
		softmaxRow(x[r*n : (r+1)*n])
	}
}

func softmaxRow(row []float32) {
	mx := float32(math.Inf(-1))
	for _, v := range row {
		if v > mx {
			mx = v
		}
	}
	var s float64
	for i, v := range row {
		e := math.Exp(float64(v - mx))
		row[i] = float32(e)
		s += e
	}
	inv := 1 / s
	for i, v := range row {
		row[i] = float32(float64(v) * inv)
	}
}
