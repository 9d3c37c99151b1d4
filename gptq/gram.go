package gptq

import "github.com/siglip-wasm/siglip-wasm/kernel"

// gram returns H = XᵀX (float64, K×K row-major) for the activations
// x[m][K]. The products run on the float32 matmul kernel (XᵀX is Xᵀ·(Xᵀ)ᵀ,
// a matmul of Xᵀ with itself) in slabs of 512 rows, each slab's float32
// sums added into float64: a calibration set has thousands of rows, and a
// float64 loop over K² per row is several times slower. Only the lower
// triangle is multiplied (row bands of 256 against the columns up to
// their end), then mirrored.
//
// Everything around the kernel (the transposition, the kernel's panel
// layout, the float64 sums, the mirror) is split over GOMAXPROCS too: on
// one goroutine it was a third of the Gram matrix's time. The weight
// operand is packed once per slab, straight from x, and each band uses
// a prefix of its panels (a panel holds PanelRows columns of Xᵀ, and
// bands end on panel boundaries): the same values PackF32 of the band's
// rows gives, so the sums are the ones of the slab-by-band loop.
func gram(x []float32, m, k int) []float64 {
	h := make([]float64, k*k)
	const slab, band = 512, 256
	const pr = kernel.PanelRows
	np := (k + pr - 1) / pr
	xt := make([]float32, k*min(slab, m))
	packed := make([]float32, np*pr*min(slab, m))
	part := make([]float32, band*k)
	for r0 := 0; r0 < m; r0 += slab {
		rows := min(slab, m-r0)
		xt := xt[:k*rows]
		parallel(k, func(lo, hi int) {
			for r := 0; r < rows; r++ {
				for i, v := range x[(r0+r)*k+lo : (r0+r)*k+hi] {
					xt[(lo+i)*rows+r] = v
				}
			}
		})
		pd := packed[:np*pr*rows]
		parallel(np, func(lo, hi int) {
			for p := lo; p < hi; p++ {
				d := pd[p*rows*pr : (p+1)*rows*pr]
				c0, c1 := p*pr, min(p*pr+pr, k)
				for r := 0; r < rows; r++ {
					o := copy(d[r*pr:], x[(r0+r)*k+c0:(r0+r)*k+c1])
					clear(d[r*pr+o : (r+1)*pr])
				}
			}
		})
		for i0 := 0; i0 < k; i0 += band {
			i1 := min(i0+band, k)
			p := &kernel.PackedF32{N: i1, K: rows, Data: pd[:(i1+pr-1)/pr*pr*rows]}
			out := part[:(i1-i0)*i1]
			kernel.MatMulF32(out, xt[i0*rows:i1*rows], i1-i0, p, nil)
			parallel(i1-i0, func(lo, hi int) {
				for i := i0 + lo; i < i0+hi; i++ {
					hr := h[i*k : i*k+i+1]
					for j, v := range out[(i-i0)*i1 : (i-i0)*i1+i+1] {
						hr[j] += float64(v)
					}
				}
			})
		}
	}
	parallel(k, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for j := i + 1; j < k; j++ {
				h[i*k+j] = h[j*k+i]
			}
		}
	})
	return h
}
