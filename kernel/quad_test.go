package kernel

import (
	"math/rand"
	"testing"
)

// The quad layout (packQuad) holds every weight once, at its documented
// index, zero padding, and the +128 correction of each row.
func TestPackQuad(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	for _, sh := range []struct{ n, k int }{{1, 1}, {3, 5}, {8, 4}, {13, 7}, {17, 33}} {
		q := make([]int8, sh.n*sh.k)
		for i := range q {
			q[i] = int8(r.Intn(255) - 127)
		}
		qd := packQuad(q, sh.n, sh.k)
		if qd.K4%4 != 0 || qd.K4 < sh.k || qd.K4 >= sh.k+4 {
			t.Fatalf("%v: K4 = %d", sh, qd.K4)
		}
		seen := 0
		for p := 0; p < panels(sh.n); p++ {
			for g := 0; g < qd.K4/4; g++ {
				for j := 0; j < PanelRows; j++ {
					for u := 0; u < 4; u++ {
						row, kk := p*PanelRows+j, 4*g+u
						got := qd.Data[((p*qd.K4/4+g)*PanelRows+j)*4+u]
						var want int8
						if row < sh.n && kk < sh.k {
							want = q[row*sh.k+kk]
							seen++
						}
						if got != want {
							t.Fatalf("%v: quad[p=%d g=%d j=%d u=%d] = %d, want %d", sh, p, g, j, u, got, want)
						}
					}
				}
			}
		}
		if seen != sh.n*sh.k {
			t.Fatalf("%v: %d weights placed, want %d", sh, seen, sh.n*sh.k)
		}
		for row := 0; row < sh.n; row++ {
			var s int32
			for kk := 0; kk < sh.k; kk++ {
				s += int32(q[row*sh.k+kk])
			}
			if qd.Corr[row] != 128*s {
				t.Fatalf("%v: Corr[%d] = %d, want %d", sh, row, qd.Corr[row], 128*s)
			}
		}
	}
}

// Where the host runs the exact 4-wide dot (relaxed SIMD on x64 with
// AVX-VNNI), PackQ8 must hand MatMulQ8 the quad layout, so that the
// conformance test's simd form exercises matmul_q8x4.
func TestSIMDQuadInUse(t *testing.T) {
	t.Logf("int8 quad kernel (matmul_q8x4) in use: %v", simdQuad)
	w, err := PackQ8(make([]int8, 16), make([]float32, 4), 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	if (w.quad != nil) != simdQuad {
		t.Fatalf("PackQ8 built the quad layout: %v, host runs the quad kernel: %v", w.quad != nil, simdQuad)
	}
}

// A PackedQ8 assembled by hand (as model files do) gets its quad form
// from Prepare, equal to PackQ8's.
func TestPrepareQuad(t *testing.T) {
	r := rand.New(rand.NewSource(12))
	w := randQ8(r, 13, 7)
	hand := &PackedQ8{N: w.N, K: w.K, Kp: w.Kp, Data: w.Data, Scales: w.Scales}
	hand.Prepare()
	if (hand.quad != nil) != simdQuad {
		t.Fatalf("Prepare built the quad layout: %v, host runs the quad kernel: %v", hand.quad != nil, simdQuad)
	}
	if !simdQuad {
		return
	}
	want := packQuad(func() []int8 {
		q := make([]int8, w.N*w.K)
		for n := 0; n < w.N; n++ {
			for k := 0; k < w.K; k++ {
				q[n*w.K+k] = w.At(n, k)
			}
		}
		return q
	}(), w.N, w.K)
	for i := range want.Data {
		if hand.quad.Data[i] != want.Data[i] {
			t.Fatalf("quad[%d] = %d, want %d", i, hand.quad.Data[i], want.Data[i])
		}
	}
}

// WarmUp runs every kernel on its small inputs without tripping a length check.
func TestWarmUp(t *testing.T) { WarmUp() }
