package kernel

import "math"

// RefAttention is the reference for Attention (float64 throughout; same
// argument layout).
func RefAttention(dst []float32, dstStride int, q []float32, qStride int, k []float32, kStride int,
	v []float32, vStride int, sq, sk, heads, hd int) {
	s := make([]float64, sk)
	for h := 0; h < heads; h++ {
		off := h * hd
		for i := 0; i < sq; i++ {
			mx := math.Inf(-1)
			for j := 0; j < sk; j++ {
				var d float64
				for x := 0; x < hd; x++ {
					d += float64(q[i*qStride+off+x]) * float64(k[j*kStride+off+x])
				}
				s[j] = d / math.Sqrt(float64(hd))
				mx = math.Max(mx, s[j])
			}
			var sum float64
			for j := range s {
				s[j] = math.Exp(s[j] - mx)
				sum += s[j]
			}
			for x := 0; x < hd; x++ {
				var o float64
				for j := 0; j < sk; j++ {
					o += s[j] / sum * float64(v[j*vStride+off+x])
				}
				dst[i*dstStride+off+x] = float32(o)
			}
		}
	}
}
