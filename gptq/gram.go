package gptq

import "github.com/siglip-wasm/siglip-wasm/kernel"

// gram returns H = XᵀX (float64, K×K row-major) for the activations
// x[m][K]. The products run on the float32 matmul kernel (XᵀX is Xᵀ·(Xᵀ)ᵀ,
// a matmul of Xᵀ with itself) in slabs of 512 rows, each slab's float32
// sums added into float64: a calibration set has thousands of rows, and a
// float64 loop over K² per row is several times slower. Only the lower
// triangle is multiplied (row bands of 256 against the columns up to
// their end), then mirrored.
func gram(x []float32, m, k int) []float64 {
	h := make([]float64, k*k)
	const slab, band = 512, 256
	xt := make([]float32, k*min(slab, m))
	part := make([]float32, band*k)
	for r0 := 0; r0 < m; r0 += slab {
		rows := min(slab, m-r0)
		xt := xt[:k*rows]
		for r := 0; r < rows; r++ {
			for i, v := range x[(r0+r)*k : (r0+r+1)*k] {
				xt[i*rows+r] = v
			}
		}
		for i0 := 0; i0 < k; i0 += band {
			i1 := min(i0+band, k)
			p, err := kernel.PackF32(xt[:i1*rows], i1, rows)
			if err != nil {
				panic(err) // sizes are ours
			}
			out := part[:(i1-i0)*i1]
			kernel.MatMulF32(out, xt[i0*rows:i1*rows], i1-i0, p, nil)
			for i := i0; i < i1; i++ {
				hr := h[i*k : i*k+i+1]
				for j, v := range out[(i-i0)*i1 : (i-i0)*i1+i+1] {
					hr[j] += float64(v)
				}
			}
		}
	}
	for i := 0; i < k; i++ {
		for j := 0; j < i; j++ {
			h[j*k+i] = h[i*k+j]
		}
	}
	return h
}
