package kernel

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

func randQ4(rng *rand.Rand, n, k int) *PackedQ4 {
	nb := (k + Q4Block - 1) / Q4Block
	data := make([]byte, n*nb*16)
	for row := 0; row < n; row++ {
		for kk := 0; kk < nb*Q4Block; kk++ {
			q := 0
			if kk < k {
				q = rng.IntN(16) - 8
			}
			i := (row*nb+kk/Q4Block)*16 + (kk%Q4Block)/2
			data[i] |= byte(q+8) << (4 * (kk % 2))
		}
	}
	scales := make([]uint16, n*nb)
	for i := range scales {
		// mostly normal halves between 2^-10 and 2^-4, of either sign (a
		// searched scale may be negative); some subnormal, zero and large
		// ones, whose f16→f32 conversion the simd kernel does itself
		switch c := rng.IntN(20); {
		case c == 0:
			scales[i] = uint16(rng.IntN(1024)) // subnormal (or +0)
		case c == 1:
			scales[i] = 0x8000 // -0
		case c == 2:
			scales[i] = uint16((20+rng.IntN(10))<<10 | rng.IntN(1024))
		default:
			scales[i] = uint16((5+rng.IntN(6))<<10 | rng.IntN(1024))
		}
		if rng.IntN(4) == 0 {
			scales[i] |= 0x8000
		}
	}
	w, err := NewPackedQ4(data, scales, n, k)
	if err != nil {
		panic(err)
	}
	return w
}

func TestMatMulQ4MatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var scratch Scratch
	// N a multiple of 4 runs the simd128 kernel where there is one; other
	// N fall back to pure Go.
	for _, sz := range [][3]int{{1, 1, 1}, {3, 8, 32}, {5, 9, 33}, {17, 40, 96}, {6, 12, 70}, {64, 130, 768}, {40, 64, 800}} {
		m, n, k := sz[0], sz[1], sz[2]
		w := randQ4(rng, n, k)
		a := make([]float32, m*k)
		for i := range a {
			a[i] = float32(rng.NormFloat64())
		}
		if m > 1 {
			for i := 0; i < k; i++ { // an all-zero row: scale 0 path
				a[i] = 0
			}
		}
		bias := make([]float32, n)
		for i := range bias {
			bias[i] = float32(rng.NormFloat64())
		}
		want := make([]float32, m*n)
		got := make([]float32, m*n)
		RefMatMulQ4(want, a, m, w, bias)
		MatMulQ4(got, a, m, w, bias, &scratch)
		for i := range want {
			if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
				t.Fatalf("%v: [%d] = %v, reference %v (must be bit-identical)", sz, i, got[i], want[i])
			}
		}
		// And close to the float product with the dequantized weight: the
		// only error left is the 8-bit activation rounding.
		var maxErr, maxAbs float64
		for r := 0; r < m; r++ {
			for j := 0; j < n; j++ {
				s := float64(bias[j])
				for kk := 0; kk < k; kk++ {
					s += float64(a[r*k+kk]) * float64(w.At(j, kk)) * float64(w.Scale(j, kk/Q4Block))
				}
				maxErr = math.Max(maxErr, math.Abs(s-float64(got[r*n+j])))
				maxAbs = math.Max(maxAbs, math.Abs(s))
			}
		}
		if maxErr > 0.02*maxAbs+1e-6 {
			t.Fatalf("%v: max error %g vs max |y| %g", sz, maxErr, maxAbs)
		}
		RefMatMulQ4(want, a, m, w, nil)
		MatMulQ4(got, a, m, w, nil, &scratch)
		for i := range want {
			if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
				t.Fatalf("%v nil bias: [%d] = %v, reference %v", sz, i, got[i], want[i])
			}
		}
	}
}

func TestHalfBitsToFloat32(t *testing.T) {
	cases := map[uint16]float32{0x3c00: 1, 0xc000: -2, 0x0001: 1.0 / (1 << 24), 0x7bff: 65504, 0x8000: float32(math.Copysign(0, -1)), 0x3555: 0.33325195}
	for h, want := range cases {
		if got := HalfBitsToFloat32(h); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("%#04x: got %v want %v", h, got, want)
		}
	}
	if !math.IsInf(float64(HalfBitsToFloat32(0x7c00)), 1) || !math.IsNaN(float64(HalfBitsToFloat32(0x7e00))) {
		t.Error("inf/nan")
	}
}

func TestNewPackedQ4Errors(t *testing.T) {
	if _, err := NewPackedQ4(make([]byte, 16), make([]uint16, 1), 1, 33); err == nil {
		t.Fatal("K=33 needs two blocks")
	}
	if _, err := NewPackedQ4(make([]byte, 16), make([]uint16, 2), 1, 32); err == nil {
		t.Fatal("scale count")
	}
}

func BenchmarkMatMulQ4(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	m, n, k := 256, 768, 768
	w := randQ4(rng, n, k)
	a := make([]float32, m*k)
	for i := range a {
		a[i] = float32(rng.NormFloat64())
	}
	dst := make([]float32, m*n)
	var s Scratch
	b.ResetTimer()
	c0 := processCPUSeconds()
	for i := 0; i < b.N; i++ {
		MatMulQ4(dst, a, m, w, nil, &s)
	}
	b.ReportMetric(float64(2*m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOP/s")
	if c := processCPUSeconds() - c0; c > 0 {
		b.ReportMetric(float64(2*m*n*k)*float64(b.N)/c/1e9, "GOP/cpu-s")
	}
}

// TestMatMulQ4NoAllocInline: with one thread (js/wasm) a steady-state call
// allocates nothing.
func TestMatMulQ4NoAllocInline(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	rng := rand.New(rand.NewPCG(7, 8))
	m, n, k := 9, 40, 96
	w := randQ4(rng, n, k)
	a := make([]float32, m*k)
	for i := range a {
		a[i] = float32(rng.NormFloat64())
	}
	dst := make([]float32, m*n)
	var s Scratch
	MatMulQ4(dst, a, m, w, nil, &s)
	if allocs := testing.AllocsPerRun(5, func() { MatMulQ4(dst, a, m, w, nil, &s) }); allocs != 0 {
		t.Fatalf("%v allocations per call", allocs)
	}
}
