package gptq

import (
	"math"
	"math/rand"
	"slices"
	"testing"
)

// The assembly dot, four-row dot and column update agree with the Go loops to rounding
// (they sum in another order, fused), on every length around the vector
// widths.
func TestLinalgFMA(t *testing.T) {
	if !haveFMA {
		t.Skip("no AVX2+FMA")
	}
	r := rand.New(rand.NewSource(5))
	for n := 0; n <= 70; n++ {
		a, b := make([]float64, n), make([]float64, n)
		var mag float64
		for i := range a {
			a[i], b[i] = r.NormFloat64(), r.NormFloat64()
			mag += math.Abs(a[i] * b[i])
		}
		if got, want := dot(a, b), dotGo(a, b); math.Abs(got-want) > 1e-14*mag+1e-300 {
			t.Fatalf("n=%d: dot %v, Go %v", n, got, want)
		}
		ld := n + 5
		bm := make([]float64, 4*ld)
		for i := range bm {
			bm[i] = r.NormFloat64()
		}
		var s4, w4 [cholBlock]float64
		dot4(&s4, a, bm, ld, cholBlock)
		dot4Go(&w4, a, bm, ld, cholBlock)
		for c := range s4 {
			if d := math.Abs(s4[c] - w4[c]); d > 1e-13*float64(n+1) {
				t.Fatalf("n=%d: dot4[%d] %v, Go %v", n, c, s4[c], w4[c])
			}
		}
		var rows, want [8][]float64
		var e [8]float64
		for i := range rows {
			rows[i] = make([]float64, n+3)
			for j := range rows[i] {
				rows[i][j] = r.NormFloat64()
			}
			want[i] = append([]float64(nil), rows[i]...)
			e[i] = r.NormFloat64()
		}
		ri := make([]float64, n)
		for j := range ri {
			ri[j] = r.NormFloat64()
		}
		carry8(&rows, &e, ri, 3)
		carry8Go(&want, &e, ri, 3)
		for i := range rows {
			for j := range rows[i] {
				if d := math.Abs(rows[i][j] - want[i][j]); d > 1e-14*(math.Abs(want[i][j])+math.Abs(e[i])) {
					t.Fatalf("n=%d: row %d [%d] = %v, Go %v", n, i, j, rows[i][j], want[i][j])
				}
			}
		}
	}
}

// TestPanelSameBits: the factorisation from panels (AVX-512) gives dot4's
// R bit for bit, so it did not change a q4 file's bytes.
func TestPanelSameBits(t *testing.T) {
	if !cholPanels {
		t.Skip("no AVX-512")
	}
	defer func() { cholPanels = true }()
	rng := rand.New(rand.NewSource(6))
	for _, k := range []int{70, 97, 301, 520} {
		m := 2 * k
		x := make([]float32, m*k)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * (1 + float64(i%k%7)))
		}
		h := gram(x, m, k)
		var r [2][]float64
		for i, on := range []bool{true, false} {
			cholPanels = on
			var err error
			if r[i], err = feedback(slices.Clone(h), k, 0.01); err != nil {
				t.Fatal(err)
			}
		}
		for i := range r[0] {
			if math.Float64bits(r[0][i]) != math.Float64bits(r[1][i]) {
				t.Fatalf("k=%d: R[%d][%d] from panels %v, from dot4 %v", k, i/k, i%k, r[0][i], r[1][i])
			}
		}
	}
}
