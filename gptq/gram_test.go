package gptq

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/kernel"
)

// gramBands is gram as first written (one goroutine around the kernel,
// PackF32 of each band's rows): the reference of TestGramSameBits.
func gramBands(x []float32, m, k int) []float64 {
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
				panic(err)
			}
			out := part[:(i1-i0)*i1]
			kernel.MatMulF32(out, xt[i0*rows:i1*rows], i1-i0, p, nil)
			for i := i0; i < i1; i++ {
				for j, v := range out[(i-i0)*i1 : (i-i0)*i1+i+1] {
					h[i*k+j] += float64(v)
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

// TestGramSameBits: the parallel Gram matrix is bit for bit the
// one-goroutine loop's (several slabs and bands, a partial last panel),
// so splitting it did not change a q4 file's bytes.
func TestGramSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range []struct{ m, k int }{{1100, 301}, {70, 40}, {513, 520}} {
		x := randomRows(rng, c.m, c.k, func(i int) float64 { return 1 + float64(i%3) })
		if !slices.Equal(gram(x, c.m, c.k), gramBands(x, c.m, c.k)) {
			t.Fatalf("m=%d k=%d: the parallel Gram matrix differs from the band loop's", c.m, c.k)
		}
	}
}
