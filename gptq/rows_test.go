package gptq

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// TestSweepSameBits: the lazily carried sweep gives the immediate form's
// blocks and scales bit for bit (several batches and tiles, partial last
// block, group and vector; weights with exact zeros, so some columns
// carry nothing), so batching it did not change a q4 file's bytes.
func TestSweepSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, c := range []struct{ n, k int }{{40, 301}, {19, 700}, {16, 131}, {8, 6}, {64, 560}} {
		m := 3 * c.k
		x := randomRows(rng, m, c.k, func(i int) float64 { return 0.3 + float64(i%5) })
		for r := 0; r < m; r++ {
			s := float32(rng.NormFloat64() * 2)
			for i := 0; i < c.k; i++ {
				x[r*c.k+i] += s
			}
		}
		fb, err := feedback(gram(x, m, c.k), c.k, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		w := make([]float32, c.n*c.k)
		for i := range w {
			if rng.IntN(7) > 0 {
				w[i] = float32(rng.NormFloat64() * 0.05)
			}
		}
		for r := 0; r < c.n; r += 5 {
			clear(w[r*c.k : r*c.k+min(c.k, 70)]) // whole zero stretches
		}
		got, want := make([]float64, c.n*c.k), make([]float64, c.n*c.k)
		q, s := sweepRows(w, c.n, c.k, fb, got)
		wq, ws := quantizeRowsImmediate(w, c.n, c.k, fb, want)
		if !bytes.Equal(modelfile.PackQ4(q, c.n, c.k), modelfile.PackQ4(wq, c.n, c.k)) || !slices.Equal(s, ws) {
			t.Fatalf("n=%d k=%d: the batched sweep's blocks differ from the immediate one's", c.n, c.k)
		}
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("n=%d k=%d: target [%d][%d] is %v, the immediate sweep's %v", c.n, c.k, i/c.k, i%c.k, got[i], want[i])
			}
		}
	}
}

// quantizeRowsImmediate is quantizeRows as first written: every column's
// error carried into all later columns at once (TestSweepSameBits's
// reference).
func quantizeRowsImmediate(w []float32, n, k int, r []float64, targets []float64) (q []int8, scales []uint16) {
	const g = 8
	nb := (k + kernel.Q4Block - 1) / kernel.Q4Block
	q = make([]int8, n*k)
	scales = make([]uint16, n*nb)
	groups := (n + g - 1) / g
	parallel(groups, func(g0, g1 int) {
		var rows [g][]float64
		for t := range rows {
			rows[t] = make([]float64, k)
		}
		blk := make([]float32, kernel.Q4Block)
		var d, e [g]float64
		for gi := g0; gi < g1; gi++ {
			r0 := gi * g
			cnt := min(g, n-r0)
			for t := 0; t < cnt; t++ {
				for i := range rows[t] {
					rows[t][i] = float64(w[(r0+t)*k+i])
				}
			}
			for i := 0; i < k; i++ {
				if i%kernel.Q4Block == 0 {
					b := i / kernel.Q4Block
					hi := min(i+kernel.Q4Block, k)
					for t := 0; t < cnt; t++ {
						for j := i; j < hi; j++ {
							blk[j-i] = float32(rows[t][j])
						}
						h := modelfile.Q4BlockScale(blk[:hi-i])
						scales[(r0+t)*nb+b] = h
						d[t] = float64(kernel.HalfBitsToFloat32(h))
					}
				}
				any := false
				for t := 0; t < cnt; t++ {
					qi := modelfile.Q4Round(rows[t][i], d[t])
					q[(r0+t)*k+i] = qi
					e[t] = float64(w[(r0+t)*k+i]) - d[t]*float64(qi)
					any = any || e[t] != 0
				}
				if !any || i+1 == k {
					continue
				}
				ri := r[i*k+i+1 : (i+1)*k]
				if cnt == g {
					carry8(&rows, &e, ri, i+1)
					continue
				}
				for t := 0; t < cnt; t++ {
					rest := rows[t][i+1:]
					for j, v := range ri {
						rest[j] += e[t] * v
					}
				}
			}
			for t := 0; t < cnt; t++ {
				copy(targets[(r0+t)*k:], rows[t])
			}
		}
	})
	return q, scales
}
