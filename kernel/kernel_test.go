package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randVec(rng *rand.Rand, n int, scale float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = (rng.Float32()*2 - 1) * scale
	}
	return v
}

// closeRel checks |got-want| ≤ tol·max(1, max|want|) element-wise: relative
// to the output's magnitude, so that cancellation in one element does not
// make a correct sum look wrong.
func closeRel(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	var mx float64
	for _, w := range want {
		mx = math.Max(mx, math.Abs(float64(w)))
	}
	mx = math.Max(mx, 1)
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); d > tol*mx || math.IsNaN(float64(got[i])) {
			t.Fatalf("%s: [%d] got %v want %v (|d|=%g > %g)", what, i, got[i], want[i], d, tol*mx)
		}
	}
}

var matSizes = [][3]int{{1, 1, 1}, {1, 8, 3}, {3, 9, 17}, {5, 17, 64}, {33, 40, 65}, {70, 200, 96}, {64, 768, 768}}

func TestMatMulF32(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range matSizes {
		m, n, k := s[0], s[1], s[2]
		a, w, b := randVec(rng, m*k, 1), randVec(rng, n*k, 1), randVec(rng, n, 1)
		pw, _ := PackF32(w, n, k)
		for _, bias := range [][]float32{nil, b} {
			got, want := make([]float32, m*n), make([]float32, m*n)
			MatMulF32(got, a, m, pw, bias)
			RefMatMulF32(want, a, m, pw, bias)
			closeRel(t, "MatMulF32", got, want, 1e-5)
		}
	}
}

func TestMatMulQ8BitExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var s Scratch
	for _, sz := range append(matSizes, [3]int{4, 24, 3072}, [3]int{2, 3, 0}) {
		m, n, k := sz[0], sz[1], sz[2]
		if k == 0 {
			continue
		}
		a, w, b := randVec(rng, m*k, 3), randVec(rng, n*k, 1), randVec(rng, n, 1)
		if m > 1 {
			for i := 0; i < k; i++ {
				a[k+i] = 0 // an all-zero row: scale 0
			}
		}
		q := make([]int8, n*k)
		sc := make([]float32, n)
		for r := 0; r < n; r++ {
			sc[r] = QuantizeRow(q[r*k:(r+1)*k], w[r*k:(r+1)*k])
		}
		pq, _ := PackQ8(q, sc, n, k)
		for _, bias := range [][]float32{nil, b} {
			got, want := make([]float32, m*n), make([]float32, m*n)
			MatMulQ8(got, a, m, pq, bias, &s)
			RefMatMulQ8(want, a, m, pq, bias)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v: [%d] got %v want %v", sz, i, got[i], want[i])
				}
			}
		}
	}
}

func TestLayerNormGELUSoftmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	m, n := 37, 768
	x := randVec(rng, m*n, 4)
	g, b := randVec(rng, n, 1), randVec(rng, n, 1)
	got, want := make([]float32, m*n), make([]float32, m*n)
	LayerNorm(got, x, m, n, g, b, 1e-6)
	RefLayerNorm(want, x, m, n, g, b, 1e-6)
	closeRel(t, "LayerNorm", got, want, 1e-5)

	for _, c := range []struct {
		name     string
		fast, rf func([]float32)
	}{{"GELUTanh", GELUTanh, RefGELUTanh}, {"GELUErf", GELUErf, RefGELUErf}} {
		got := append([]float32(nil), x...)
		want := append([]float32(nil), x...)
		c.fast(got)
		c.rf(want)
		closeRel(t, c.name, got, want, 1e-6)
	}
	got = append(got[:0], x...)
	want = append(want[:0], x...)
	SoftmaxRows(got, m, n)
	RefSoftmaxRows(want, m, n)
	closeRel(t, "SoftmaxRows", got, want, 1e-6)
}

func TestAttention(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, c := range [][4]int{{1, 7, 2, 8}, {5, 5, 3, 16}, {64, 64, 4, 16}, {256, 256, 2, 64}} {
		sq, sk, heads, hd := c[0], c[1], c[2], c[3]
		d := heads * hd
		// K and V interleaved in one [sk][3d] buffer, as the pooling head has them.
		q := randVec(rng, sq*d, 2)
		kv := randVec(rng, sk*3*d, 2)
		got, want := make([]float32, sq*d), make([]float32, sq*d)
		Attention(got, d, q, d, kv[d:], 3*d, kv[2*d:], 3*d, sq, sk, heads, hd, make([]float32, heads*sq*sk))
		RefAttention(want, d, q, d, kv[d:], 3*d, kv[2*d:], 3*d, sq, sk, heads, hd)
		closeRel(t, "Attention", got, want, 1e-5)
	}
}

func TestKernelsAllocateNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	m, n, k := 64, 256, 128
	a, w := randVec(rng, m*k, 1), randVec(rng, n*k, 1)
	pw, _ := PackF32(w, n, k)
	q := make([]int8, n*k)
	sc := make([]float32, n)
	for r := 0; r < n; r++ {
		sc[r] = QuantizeRow(q[r*k:(r+1)*k], w[r*k:(r+1)*k])
	}
	pq, _ := PackQ8(q, sc, n, k)
	dst := make([]float32, m*n)
	scores := make([]float32, 4*m*m)
	var s Scratch
	g := make([]float32, k)
	allocs := testing.AllocsPerRun(20, func() {
		MatMulF32(dst, a, m, pw, nil)
		MatMulQ8(dst, a, m, pq, nil, &s)
		LayerNorm(dst[:m*k], a, m, k, g, g, 1e-6)
		GELUTanh(dst)
		SoftmaxRows(dst, m, n)
		Attention(dst, k, a, k, a, k, a, k, m, m, 4, k/4, scores)
	})
	if allocs != 0 {
		t.Fatalf("kernels allocated %v times per run", allocs)
	}
}

func BenchmarkMatMulF32(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	m, n, k := 256, 768, 768
	a, w := randVec(rng, m*k, 1), randVec(rng, n*k, 1)
	pw, _ := PackF32(w, n, k)
	dst := make([]float32, m*n)
	b.ResetTimer()
	c0 := processCPUSeconds()
	for i := 0; i < b.N; i++ {
		MatMulF32(dst, a, m, pw, nil)
	}
	b.ReportMetric(float64(2*m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if c := processCPUSeconds() - c0; c > 0 {
		b.ReportMetric(float64(2*m*n*k)*float64(b.N)/c/1e9, "GFLOP/cpu-s")
	}
}

func BenchmarkMatMulQ8(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	m, n, k := 256, 768, 768
	a, w := randVec(rng, m*k, 1), randVec(rng, n*k, 1)
	q := make([]int8, n*k)
	sc := make([]float32, n)
	for r := 0; r < n; r++ {
		sc[r] = QuantizeRow(q[r*k:(r+1)*k], w[r*k:(r+1)*k])
	}
	pq, _ := PackQ8(q, sc, n, k)
	dst := make([]float32, m*n)
	var s Scratch
	b.ResetTimer()
	c0 := processCPUSeconds()
	for i := 0; i < b.N; i++ {
		MatMulQ8(dst, a, m, pq, nil, &s)
	}
	b.ReportMetric(float64(2*m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOP/s")
	if c := processCPUSeconds() - c0; c > 0 {
		b.ReportMetric(float64(2*m*n*k)*float64(b.N)/c/1e9, "GOP/cpu-s")
	}
}
