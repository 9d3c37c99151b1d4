//go:build js && wasm && simd

package kernel

import (
	"fmt"
	"math"
	"math/rand"
	randv2 "math/rand/v2"
	"testing"
)

// TestSplitSameBits: every kernel split over the kernel threads (every
// call split, however small) gives the same bits as one call on Go's
// thread, for every host form: matrix products by rows and (few rows) by
// column panels, the quantizations, layernorm, softmax, GELU, the residual
// add, and the transpose inside MatMulNT. Runs where the host gives more
// than one kernel thread (SIGLIP_THREADS=2 under Node, the threads
// Chromium test).
func TestSplitSameBits(t *testing.T) {
	if kthreads < 2 {
		t.Skip("one kernel thread: nothing splits")
	}
	threads, minWork := kthreads, kminWork
	defer func() { kthreads, kminWork = threads, minWork }()
	// run calls f once on one thread and once split, and compares out.
	run := func(name string, out []float32, f func()) {
		t.Helper()
		kthreads, kminWork = 1, minWork
		f()
		want := append([]float32(nil), out...)
		kthreads, kminWork = threads, 0
		f()
		for i := range out {
			if math.Float32bits(out[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: split differs at %d: %v, want %v", name, i, out[i], want[i])
			}
		}
	}
	r := rand.New(rand.NewSource(5))
	for _, sh := range []struct{ m, n, k int }{{37, 40, 96}, {256, 200, 768}, {3, 77, 64}, {12, 96, 64}} {
		tag := fmt.Sprintf("%dx%dx%d", sh.m, sh.n, sh.k)
		a := testMatrix(r, sh.m, sh.k, false)
		bias := testMatrix(r, 1, sh.n, false)
		dst := make([]float32, sh.m*max(sh.n, sh.k))
		wq := randQ8(r, sh.n, sh.k)
		w4 := randQ4(randv2.New(randv2.NewPCG(uint64(sh.m), 3)), sh.n, sh.k)
		wf, err := PackF32(testMatrix(r, sh.n, sh.k, false), sh.n, sh.k)
		if err != nil {
			t.Fatal(err)
		}
		b := testMatrix(r, max(sh.n, sh.k), max(sh.n, sh.k), false)
		for _, f := range hostForms() {
			k, name := f.k, f.name+"/"+tag
			var s Scratch
			if k.matMulQ8 != nil {
				run(name+"/MatMulQ8", dst[:sh.m*sh.n], func() { k.matMulQ8(dst, a, sh.m, wq, bias, &s) })
			}
			if k.matMulQ4 != nil {
				run(name+"/MatMulQ4", dst[:sh.m*sh.n], func() { k.matMulQ4(dst, a, sh.m, w4, bias, &s) })
			}
			if k.matMulF32 != nil {
				run(name+"/MatMulF32", dst[:sh.m*sh.n], func() { k.matMulF32(dst, a, sh.m, wf, bias) })
			}
			if k.matMulNN != nil {
				run(name+"/MatMulNN", dst[:sh.m*sh.n], func() { k.matMulNN(dst, sh.n, a, sh.k, b, sh.n, sh.m, sh.n, sh.k, 0.5) })
			}
			if k.matMulNT != nil {
				run(name+"/MatMulNT", dst[:sh.m*sh.n], func() { k.matMulNT(dst, sh.n, a, sh.k, b, sh.k, sh.m, sh.n, sh.k, 0.5) })
			}
			if k.layerNorm != nil {
				run(name+"/LayerNorm", dst[:sh.m*sh.k], func() { k.layerNorm(dst, a, sh.m, sh.k, b[:sh.k], b[sh.k:2*sh.k], 1e-6) })
			}
			for _, op := range []struct {
				name string
				f    func(x []float32)
			}{
				{"SoftmaxRows", func(x []float32) { k.softmaxRows(x, sh.m, sh.k) }},
				{"GELUTanh", func(x []float32) { k.geluTanh(x[:len(x)-3]) }},
				{"Add", func(x []float32) { k.add(x[:len(x)-3], b) }},
			} {
				if (op.name == "SoftmaxRows" && k.softmaxRows == nil) || (op.name == "GELUTanh" && k.geluTanh == nil) || (op.name == "Add" && k.add == nil) {
					continue
				}
				x := dst[:sh.m*sh.k]
				run(name+"/"+op.name, x, func() { copy(x, a); op.f(x) })
			}
		}
	}
}
