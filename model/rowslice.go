package model

import "github.com/siglip-wasm/siglip-wasm/kernel"

// rowSlice returns the Linear made of output rows [lo, hi) of l, sharing
// its packed weights, or nil when l's form has no such view (a Linear of
// another package, or, for the panel layouts of f32 and q8, lo/hi not on a
// panel boundary; q4 rows are stored one after another, any range slices).
func rowSlice(l Linear, lo, hi int) Linear {
	if lo < 0 || hi > l.Out() || lo >= hi {
		return nil
	}
	if w, ok := l.(*Q4Linear); ok {
		nb := w.W.Blocks
		return &Q4Linear{&kernel.PackedQ4{N: hi - lo, K: w.W.K, Blocks: nb, Data: w.W.Data[lo*nb*16 : hi*nb*16], Scales: w.W.Scales[lo*nb : hi*nb]}}
	}
	if lo%kernel.PanelRows != 0 || (hi%kernel.PanelRows != 0 && hi != l.Out()) {
		return nil
	}
	p0, p1 := lo/kernel.PanelRows, (hi+kernel.PanelRows-1)/kernel.PanelRows
	switch w := l.(type) {
	case *F32Linear:
		k := w.W.K * kernel.PanelRows
		return &F32Linear{&kernel.PackedF32{N: hi - lo, K: w.W.K, Data: w.W.Data[p0*k : p1*k]}}
	case *Q8Linear:
		k := w.W.Kp * kernel.PanelRows
		q := &kernel.PackedQ8{N: hi - lo, K: w.W.K, Kp: w.W.Kp, Data: w.W.Data[p0*k : p1*k], Scales: w.W.Scales[lo:hi]}
		q.Prepare()
		return &Q8Linear{q}
	}
	return nil
}
