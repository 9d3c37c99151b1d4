package kernel

import (
	"math/rand"
	"testing"
)

// rowSums128 (the +128 correction of matmul_q8x4) is 128·Σ_k Q[n][k] for
// every row, padding ignored.
func TestRowSums128(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	for _, sh := range []struct{ n, k int }{{1, 1}, {3, 5}, {8, 4}, {13, 7}, {17, 33}} {
		w := randQ8(r, sh.n, sh.k)
		got := rowSums128(w)
		for n := 0; n < sh.n; n++ {
			var s int32
			for k := 0; k < sh.k; k++ {
				s += int32(w.At(n, k))
			}
			if got[n] != 128*s {
				t.Fatalf("%v: row %d: %d, want %d", sh, n, got[n], 128*s)
			}
		}
	}
}

// Where the host runs the exact 4-wide dot (relaxed SIMD on x64 with
// AVX-VNNI), PackQ8 and Prepare (for a PackedQ8 assembled by hand, as model
// files do) must give MatMulQ8 the row sums, so that the conformance test's
// simd form exercises matmul_q8x4 (for Kp a multiple of 4; matmul_q8
// otherwise).
func TestSIMDQuadInUse(t *testing.T) {
	t.Logf("MatMulQ8 reads row sums (matmul_q8x4): %v", active.rowSums)
	for _, k := range []int{4, 6, 7, 768} {
		w, err := PackQ8(make([]int8, 16*k), make([]float32, 16), 16, k)
		if err != nil {
			t.Fatal(err)
		}
		want := active.rowSums && w.Kp%4 == 0
		if (w.corr != nil) != want {
			t.Fatalf("K=%d: PackQ8 made row sums: %v, want %v", k, w.corr != nil, want)
		}
		hand := &PackedQ8{N: w.N, K: w.K, Kp: w.Kp, Data: w.Data, Scales: w.Scales}
		hand.Prepare()
		if (hand.corr != nil) != want {
			t.Fatalf("K=%d: Prepare made row sums: %v, want %v", k, hand.corr != nil, want)
		}
	}
}

// WarmUp runs every kernel on its small inputs without tripping a length check.
func TestWarmUp(t *testing.T) { WarmUp() }

// Shapes with K a multiple of 4 (the 4-wide kernel's case, where the
// conformance shapes have few), long rows split in row blocks included:
// bit-identical to the reference.
func TestMatMulQ8QuadShapes(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	for _, sh := range []struct{ m, n, k int }{{37, 70, 300}, {23, 9, 30000}, {6, 13, 4}, {256, 24, 768}} {
		a := testMatrix(r, sh.m, sh.k, true)
		w := randQ8(r, sh.n, sh.k)
		bias := randBias(r, sh.n, true)
		want := make([]float32, sh.m*sh.n)
		RefMatMulQ8(want, a, sh.m, w, bias)
		got := filled(sh.m * sh.n)
		MatMulQ8(got, a, sh.m, w, bias, new(Scratch))
		checkGuard(t, "MatMulQ8", got, sh.m*sh.n)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%v: y[%d][%d] = %v, ref %v", sh, i/sh.n, i%sh.n, got[i], want[i])
			}
		}
	}
}

// Add is bit-identical to the plain loop, odd lengths included, and
// touches nothing past len(x).
func TestAdd(t *testing.T) {
	r := rand.New(rand.NewSource(14))
	for _, n := range []int{0, 1, 7, 8, 9, 31, 32, 33, 1000} {
		x := testMatrix(r, 1, n+3, false)
		y := testMatrix(r, 1, n+3, false)
		want := append([]float32(nil), x...)
		for i := 0; i < n; i++ {
			want[i] += y[i]
		}
		Add(x[:n], y)
		for i := range want {
			if x[i] != want[i] {
				t.Fatalf("n=%d: x[%d] = %v, want %v", n, i, x[i], want[i])
			}
		}
	}
}
