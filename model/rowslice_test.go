package model

import (
	"math/rand"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// A row slice computes exactly the chosen output columns of the full
// Linear (same kernel, same bits), for every weight form (f32, q8, q4).
func TestRowSlice(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	const out, in, m = 40, 12, 7
	w := make([]float32, out*in)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	x := make([]float32, m*in)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	bias := make([]float32, out)
	for i := range bias {
		bias[i] = float32(r.NormFloat64())
	}
	f, err := NewF32Linear(w, out, in)
	if err != nil {
		t.Fatal(err)
	}
	q, err := QuantizeLinear(w, out, in)
	if err != nil {
		t.Fatal(err)
	}
	data, scales := modelfile.RoundQ4(w, out, in)
	p4, err := kernel.NewPackedQ4(data, scales, out, in)
	if err != nil {
		t.Fatal(err)
	}
	q4 := &Q4Linear{p4}
	for _, l := range []Linear{f, q, q4} {
		full := make([]float32, m*out)
		l.Apply(full, x, m, bias, new(kernel.Scratch))
		for _, lh := range [][2]int{{8, 24}, {16, 40}, {0, 8}} {
			s := rowSlice(l, lh[0], lh[1])
			if s == nil || s.Out() != lh[1]-lh[0] || s.In() != in {
				t.Fatalf("%T rows %v: slice %v", l, lh, s)
			}
			part := make([]float32, m*s.Out())
			s.Apply(part, x, m, bias[lh[0]:lh[1]], new(kernel.Scratch))
			for i := 0; i < m; i++ {
				for j := 0; j < s.Out(); j++ {
					if part[i*s.Out()+j] != full[i*out+lh[0]+j] {
						t.Fatalf("%T rows %v: y[%d][%d] = %v, full %v", l, lh, i, j, part[i*s.Out()+j], full[i*out+lh[0]+j])
					}
				}
			}
		}
		if _, isQ4 := l.(*Q4Linear); isQ4 {
			if rowSlice(l, 4, 16) == nil || rowSlice(l, 3, 40) == nil {
				t.Fatalf("q4 rows are independent: any range must slice")
			}
		} else if rowSlice(l, 4, 16) != nil || rowSlice(l, 8, 20) != nil {
			t.Fatalf("%T: slices off panel boundaries must be refused", l)
		}
	}
}
