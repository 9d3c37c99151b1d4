package kernel

import (
	"fmt"
	"math"
	"math/rand"
	randv2 "math/rand/v2"
	"os"
	"testing"
)

// The conformance test runs every kernel in every form available in this
// build — the reference, the pure-Go kernels, and the simd128 kernels when
// built for js/wasm with -tags simd (run under build/wasmexec) — on the
// same inputs, with awkward sizes (M not a multiple of the 5-row tile, N
// not of the 8-row panel, K odd), zero rows and large values.
//
// Tolerances: int8 products are bit-identical. float32 accumulations are
// within 1e-5 of the float64 reference relative to the sum of the
// magnitudes of the terms (Σ|a·w| + |bias|): a float32 sum may lose all
// relative precision in a result that cancels to ~0, so relative-to-|y|
// would be a tolerance no float32 kernel can meet. GELU and softmax use a
// vectorised exp (Cephes polynomial): within 1e-5 relative, and 1e-37
// absolute where the exact value is below float32's normal range; for GELU
// also within 2e-16·|x|, the reference's own float64 cancellation error in
// 1+tanh(u) for x < -5 (there the simd form is the more accurate one).

// forms of each kernel: name → implementation. The reference is always
// first; others are appended when this build has them.
type (
	// matQFn is a quantized product (int8 or 4-bit weights of type W).
	matQFn[W any] func(dst, a []float32, m int, w W, bias []float32, s *Scratch)
	matQ8Fn       = matQFn[*PackedQ8]
	matQ4Fn       = matQFn[*PackedQ4]
	matF32Fn      func(dst, a []float32, m int, w *PackedF32, bias []float32)
	stridedFn     func(dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32)
	lnFn          func(dst, src []float32, m, n int, gamma, beta []float32, eps float32)
	inplaceFn     func(x []float32)
	softmaxFn     func(x []float32, m, n int)
	attnFn        func(dst []float32, dstStride int, q []float32, qStride int, k []float32, kStride int,
		v []float32, vStride int, sq, sk, heads, hd int, scores []float32)
)

// pureGo runs f with the active table emptied, so that the public kernels
// take their pure-Go path whether or not the host has faster forms.
func pureGo(f func()) {
	saved := active
	active = kernelTable{}
	defer func() { active = saved }()
	f()
}

// withHostForms appends to fs every host form (hostForms, not only the
// chosen ones) that has the kernel get returns.
func withHostForms[F any](fs []form[F], get func(kernelTable) (F, bool)) []form[F] {
	for _, f := range hostForms() {
		if fn, ok := get(f.k); ok {
			fs = append(fs, form[F]{f.name, fn})
		}
	}
	return fs
}

type form[F any] struct {
	name string
	fn   F
}

func q8Forms() []form[matQ8Fn] {
	fs := []form[matQ8Fn]{
		{"ref", func(dst, a []float32, m int, w *PackedQ8, bias []float32, _ *Scratch) {
			RefMatMulQ8(dst, a, m, w, bias)
		}},
		{"go", func(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch) {
			pureGo(func() { MatMulQ8(dst, a, m, w, bias, s) })
		}},
	}
	return withHostForms(fs, func(k kernelTable) (matQ8Fn, bool) { return k.matMulQ8, k.matMulQ8 != nil })
}

func q4Forms() []form[matQ4Fn] {
	fs := []form[matQ4Fn]{
		{"ref", func(dst, a []float32, m int, w *PackedQ4, bias []float32, _ *Scratch) {
			RefMatMulQ4(dst, a, m, w, bias)
		}},
		{"go", func(dst, a []float32, m int, w *PackedQ4, bias []float32, s *Scratch) {
			pureGo(func() { MatMulQ4(dst, a, m, w, bias, s) })
		}},
	}
	return withHostForms(fs, func(k kernelTable) (matQ4Fn, bool) { return k.matMulQ4, k.matMulQ4 != nil })
}

func f32Forms() []form[matF32Fn] {
	fs := []form[matF32Fn]{{"ref", RefMatMulF32}, {"go", func(dst, a []float32, m int, w *PackedF32, bias []float32) {
		pureGo(func() { MatMulF32(dst, a, m, w, bias) })
	}}}
	return withHostForms(fs, func(k kernelTable) (matF32Fn, bool) { return k.matMulF32, k.matMulF32 != nil })
}

func attnForms() []form[attnFn] {
	fs := []form[attnFn]{
		{"ref", func(dst []float32, ds int, q []float32, qs int, k []float32, ks int, v []float32, vs int, sq, sk, heads, hd int, _ []float32) {
			RefAttention(dst, ds, q, qs, k, ks, v, vs, sq, sk, heads, hd)
		}},
		{"go", func(dst []float32, ds int, q []float32, qs int, k []float32, ks int, v []float32, vs int, sq, sk, heads, hd int, scores []float32) {
			pureGo(func() { Attention(dst, ds, q, qs, k, ks, v, vs, sq, sk, heads, hd, scores) })
		}},
	}
	return withHostForms(fs, func(k kernelTable) (attnFn, bool) { return k.attention, k.attention != nil })
}

func nnForms() []form[stridedFn] {
	fs := []form[stridedFn]{{"ref", refMatMulNN}}
	return withHostForms(fs, func(k kernelTable) (stridedFn, bool) { return k.matMulNN, k.matMulNN != nil })
}

func ntForms() []form[stridedFn] {
	fs := []form[stridedFn]{{"ref", refMatMulNT}}
	return withHostForms(fs, func(k kernelTable) (stridedFn, bool) { return k.matMulNT, k.matMulNT != nil })
}

func lnForms() []form[lnFn] {
	fs := []form[lnFn]{{"ref", RefLayerNorm}, {"go", func(dst, src []float32, m, n int, gamma, beta []float32, eps float32) {
		pureGo(func() { LayerNorm(dst, src, m, n, gamma, beta, eps) })
	}}}
	return withHostForms(fs, func(k kernelTable) (lnFn, bool) { return k.layerNorm, k.layerNorm != nil })
}

func geluForms() []form[inplaceFn] {
	fs := []form[inplaceFn]{{"ref", RefGELUTanh}, {"go", func(x []float32) { pureGo(func() { GELUTanh(x) }) }}}
	return withHostForms(fs, func(k kernelTable) (inplaceFn, bool) { return k.geluTanh, k.geluTanh != nil })
}

func softmaxForms() []form[softmaxFn] {
	fs := []form[softmaxFn]{{"ref", RefSoftmaxRows}, {"go", func(x []float32, m, n int) { pureGo(func() { SoftmaxRows(x, m, n) }) }}}
	return withHostForms(fs, func(k kernelTable) (softmaxFn, bool) { return k.softmaxRows, k.softmaxRows != nil })
}

// refMatMulNN is the reference of the P·V product: dst[i][j] = scale·Σ_k a[i][k]·b[k][j].
func refMatMulNN(dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for kk := 0; kk < k; kk++ {
				s += float64(a[i*lda+kk]) * float64(b[kk*ldb+j])
			}
			dst[i*ldc+j] = float32(s * float64(scale))
		}
	}
}

// refMatMulNT is the reference of the Q·Kᵀ product: dst[i][j] = scale·Σ_k a[i][k]·b[j][k].
func refMatMulNT(dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for kk := 0; kk < k; kk++ {
				s += float64(a[i*lda+kk]) * float64(b[j*ldb+kk])
			}
			dst[i*ldc+j] = float32(s * float64(scale))
		}
	}
}

// shapes with every awkwardness the tiles have: M % 5, N % 8, K odd.
var matShapes = []struct{ m, n, k int }{
	{1, 1, 1}, {1, 8, 2}, {5, 8, 16}, {4, 7, 3}, {6, 9, 33}, {7, 13, 31},
	{11, 24, 64}, {13, 17, 65}, {23, 41, 130}, {37, 70, 301},
	{23, 9, 30001}, // long rows: the simd forms split M into several row blocks
	// K a multiple of 4 (the 4-wide dot forms), M past the native row
	// blocks (64) and tiles (4, 6, 8), an odd number of panels
	{70, 40, 132}, {9, 24, 768},
}

// testMatrix fills m×k values: gaussian, with row 0 all zero when m > 2,
// row 1 carrying one large outlier, and (when big) values near 1e4.
func testMatrix(r *rand.Rand, m, k int, big bool) []float32 {
	a := make([]float32, m*k)
	for i := range a {
		a[i] = float32(r.NormFloat64())
		if big {
			a[i] *= 1e4
		}
	}
	if m > 2 {
		clear(a[:k])
		a[k+r.Intn(k)] = 300
	}
	return a
}

func randQ8(r *rand.Rand, n, k int) *PackedQ8 {
	q := make([]int8, n*k)
	for i := range q {
		q[i] = int8(r.Intn(255) - 127)
	}
	if n > 1 { // a row at the extremes
		for kk := 0; kk < k; kk++ {
			q[k+kk] = 127 - int8(254*(kk%2))
		}
	}
	scales := make([]float32, n)
	for i := range scales {
		scales[i] = float32(r.Float64()*0.02 + 1e-4)
	}
	w, err := PackQ8(q, scales, n, k)
	if err != nil {
		panic(err)
	}
	return w
}

func randBias(r *rand.Rand, n int, withBias bool) []float32 {
	if !withBias {
		return nil
	}
	b := make([]float32, n)
	for i := range b {
		b[i] = float32(r.NormFloat64())
	}
	return b
}

// sentinel marks dst values a kernel must overwrite, and guards the tail.
const sentinel = float32(-12345.678)

func filled(n int) []float32 {
	d := make([]float32, n+9)
	for i := range d {
		d[i] = sentinel
	}
	return d
}

func checkGuard(t *testing.T, name string, d []float32, n int) {
	t.Helper()
	for i := n; i < len(d); i++ {
		if d[i] != sentinel {
			t.Fatalf("%s wrote past the end of dst (index %d of %d)", name, i, n)
		}
	}
}

// conformQuant runs every form of a quantized product on matShapes, with
// and without bias, with ordinary and large activations, and requires all
// forms' outputs to be bit-identical to the reference's (the first form).
// newW makes shape i's weight (from r or from its own generator).
func conformQuant[W any](t *testing.T, seed int64, forms []form[matQFn[W]], newW func(r *rand.Rand, i, n, k int) W) {
	r := rand.New(rand.NewSource(seed))
	for i, sh := range matShapes {
		for _, big := range []bool{false, true} {
			for _, withBias := range []bool{false, true} {
				name := fmt.Sprintf("%dx%dx%d/big=%v/bias=%v", sh.m, sh.n, sh.k, big, withBias)
				a := testMatrix(r, sh.m, sh.k, big)
				w := newW(r, i, sh.n, sh.k)
				bias := randBias(r, sh.n, withBias)
				var want []float32
				for _, f := range forms {
					got := filled(sh.m * sh.n)
					f.fn(got, a, sh.m, w, bias, new(Scratch))
					checkGuard(t, name+"/"+f.name, got, sh.m*sh.n)
					got = got[:sh.m*sh.n]
					if want == nil {
						want = got
						continue
					}
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s/%s: y[%d][%d] = %v (%#x), ref %v (%#x): quantized forms must be bit-identical",
								name, f.name, i/sh.n, i%sh.n, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
						}
					}
				}
			}
		}
	}
}

func TestConformanceMatMulQ8(t *testing.T) {
	conformQuant(t, 1, q8Forms(), func(r *rand.Rand, _, n, k int) *PackedQ8 { return randQ8(r, n, k) })
}

// TestConformanceMatMulQ4: every form of the 4-bit product is bit-identical
// to RefMatMulQ4 (shapes whose N is not a multiple of 4 check the simd
// build's fallback to pure Go; K not a multiple of 32, its Go quantization).
func TestConformanceMatMulQ4(t *testing.T) {
	conformQuant(t, 4, q4Forms(), func(_ *rand.Rand, i, n, k int) *PackedQ4 {
		return randQ4(randv2.New(randv2.NewPCG(uint64(i), 9)), n, k)
	})
}

func TestConformanceMatMulF32(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for _, sh := range matShapes {
		for _, big := range []bool{false, true} {
			for _, withBias := range []bool{false, true} {
				name := fmt.Sprintf("%dx%dx%d/big=%v/bias=%v", sh.m, sh.n, sh.k, big, withBias)
				a := testMatrix(r, sh.m, sh.k, big)
				wr := testMatrix(r, sh.n, sh.k, false)
				w, err := PackF32(wr, sh.n, sh.k)
				if err != nil {
					t.Fatal(err)
				}
				bias := randBias(r, sh.n, withBias)
				// the magnitude of the terms of each output, for the tolerance
				mag := make([]float64, sh.m*sh.n)
				for i := 0; i < sh.m; i++ {
					for j := 0; j < sh.n; j++ {
						var s float64
						for kk := 0; kk < sh.k; kk++ {
							s += math.Abs(float64(a[i*sh.k+kk]) * float64(wr[j*sh.k+kk]))
						}
						if bias != nil {
							s += math.Abs(float64(bias[j]))
						}
						mag[i*sh.n+j] = s
					}
				}
				var want []float32
				for _, f := range f32Forms() {
					got := filled(sh.m * sh.n)
					f.fn(got, a, sh.m, w, bias)
					checkGuard(t, name+"/"+f.name, got, sh.m*sh.n)
					got = got[:sh.m*sh.n]
					if want == nil {
						want = got
						continue
					}
					for i := range want {
						if d := math.Abs(float64(got[i]) - float64(want[i])); d > 1e-5*mag[i] || math.IsNaN(d) {
							t.Fatalf("%s/%s: y[%d][%d] = %v, ref %v: |Δ| %.3g > 1e-5·Σ|terms| (%.3g)",
								name, f.name, i/sh.n, i%sh.n, got[i], want[i], d, 1e-5*mag[i])
						}
					}
				}
			}
		}
	}
}

// TestConformanceAttentionProducts covers Q·Kᵀ (NT) and P·V (NN) on
// per-head views of a fused [T][3D] QKV buffer (leading dimensions larger
// than the widths), with the 1/√d scale.
func TestConformanceAttentionProducts(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for _, sh := range []struct{ t, d int }{{1, 8}, {7, 8}, {13, 16}, {37, 64}, {64, 64}, {9, 12}} {
		ld := 3 * sh.d * 2 // two heads of q, k, v per row
		qkv := testMatrix(r, sh.t, ld, false)
		q, k, v := qkv[sh.d:], qkv[3*sh.d:], qkv[5*sh.d:] // head 1
		scale := float32(1 / math.Sqrt(float64(sh.d)))
		type prod struct {
			name           string
			forms          []form[stridedFn]
			a, b           []float32
			lda, ldb, n, k int
		}
		p := testMatrix(r, sh.t, sh.t+3, false) // probabilities-like rows, ld T+3
		for _, pr := range []prod{
			{"QKt", ntForms(), q, k, ld, ld, sh.t, sh.d},
			{"PV", nnForms(), p, v, sh.t + 3, ld, sh.d, sh.t},
		} {
			ldc := pr.n + 5
			name := fmt.Sprintf("%s/T=%d/d=%d", pr.name, sh.t, sh.d)
			var want []float32
			for _, f := range pr.forms {
				got := filled(sh.t * ldc)
				f.fn(got, ldc, pr.a, pr.lda, pr.b, pr.ldb, sh.t, pr.n, pr.k, scale)
				if want == nil {
					want = got
					continue
				}
				for i := 0; i < sh.t; i++ {
					for j := 0; j < ldc; j++ {
						g, w := got[i*ldc+j], want[i*ldc+j]
						if j >= pr.n {
							if g != sentinel {
								t.Fatalf("%s/%s: wrote dst[%d][%d] outside the %d columns", name, f.name, i, j, pr.n)
							}
							continue
						}
						var mag float64
						for kk := 0; kk < pr.k; kk++ {
							if pr.name == "QKt" {
								mag += math.Abs(float64(pr.a[i*pr.lda+kk]) * float64(pr.b[j*pr.ldb+kk]))
							} else {
								mag += math.Abs(float64(pr.a[i*pr.lda+kk]) * float64(pr.b[kk*pr.ldb+j]))
							}
						}
						mag *= float64(scale)
						if d := math.Abs(float64(g) - float64(w)); d > 1e-5*mag || math.IsNaN(d) {
							t.Fatalf("%s/%s: dst[%d][%d] = %v, ref %v: |Δ| %.3g > 1e-5·Σ|terms| (%.3g)", name, f.name, i, j, g, w, d, 1e-5*mag)
						}
					}
				}
			}
		}
	}
}

// TestConformanceAttention: the whole multi-head attention, on per-head
// views of a fused [T][3D] QKV buffer, f32 within 1e-5 of the reference
// relative to the magnitude of the output row's terms (|p|·|v| ≤ max|v|).
func TestConformanceAttention(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	for _, sh := range []struct{ sq, sk, heads, hd int }{{1, 1, 1, 8}, {5, 7, 2, 8}, {13, 13, 3, 16}, {37, 37, 2, 64}, {9, 20, 4, 12}} {
		D := sh.heads * sh.hd
		q := testMatrix(r, sh.sq, 3*D, false)
		kv := testMatrix(r, sh.sk, 3*D, false)
		name := fmt.Sprintf("sq=%d/sk=%d/heads=%d/hd=%d", sh.sq, sh.sk, sh.heads, sh.hd)
		var vmax float64
		for j := 0; j < sh.sk; j++ {
			for x := 0; x < D; x++ {
				vmax = math.Max(vmax, math.Abs(float64(kv[j*3*D+2*D+x])))
			}
		}
		var want []float32
		for _, f := range attnForms() {
			got := filled(sh.sq * D)
			f.fn(got, D, q, 3*D, kv[D:], 3*D, kv[2*D:], 3*D, sh.sq, sh.sk, sh.heads, sh.hd, make([]float32, sh.heads*sh.sq*sh.sk))
			checkGuard(t, name+"/"+f.name, got, sh.sq*D)
			if want == nil {
				want = got
				continue
			}
			for i := 0; i < sh.sq*D; i++ {
				if d := math.Abs(float64(got[i]) - float64(want[i])); d > 1e-5*vmax || math.IsNaN(d) {
					t.Fatalf("%s/%s: out[%d][%d] = %v, ref %v: |Δ| %.3g > 1e-5·max|v| (%.3g)", name, f.name, i/D, i%D, got[i], want[i], d, 1e-5*vmax)
				}
			}
		}
	}
}

func TestConformanceLayerNorm(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	for _, sh := range []struct{ m, n int }{{1, 1}, {3, 7}, {6, 33}, {5, 768}, {2, 1152}} {
		for _, offset := range []float32{0, 3, -40} {
			name := fmt.Sprintf("%dx%d/offset=%v", sh.m, sh.n, offset)
			src := testMatrix(r, sh.m, sh.n, false)
			for i := range src {
				src[i] += offset
			}
			gamma, beta := randBias(r, sh.n, true), randBias(r, sh.n, true)
			var want []float32
			for _, f := range lnForms() {
				got := filled(sh.m * sh.n)
				f.fn(got, src, sh.m, sh.n, gamma, beta, 1e-6)
				checkGuard(t, name+"/"+f.name, got, sh.m*sh.n)
				if want == nil {
					want = got
					continue
				}
				for i := 0; i < sh.m*sh.n; i++ {
					// tolerance relative to the terms: |x̂·γ| + |β|, with
					// |x̂| ≤ √n (the largest normalised value of a row)
					mag := math.Sqrt(float64(sh.n))*math.Abs(float64(gamma[i%sh.n])) + math.Abs(float64(beta[i%sh.n]))
					if d := math.Abs(float64(got[i]) - float64(want[i])); d > 1e-5*mag || math.IsNaN(d) {
						t.Fatalf("%s/%s: y[%d] = %v, ref %v: |Δ| %.3g > %.3g", name, f.name, i, got[i], want[i], d, 1e-5*mag)
					}
				}
			}
		}
	}
}

// withinRel checks |got − want| ≤ 1e-5·|want|, or ≤ 1e-37 when want is
// below float32's normal range.
func withinRel(got, want float32) bool {
	d := math.Abs(float64(got) - float64(want))
	return d <= 1e-5*math.Abs(float64(want)) || d <= 1e-37
}

func TestConformanceGELUTanh(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	x := []float32{0, -0, 1e-30, -1e-30, 1e-6, -1e-6, 0.5, -0.5, 1, -1, 3, -3, 5.5, -5.5, 9, -9, 10, -10, 12, -12, 20, -20, 100, -100, 3e4, -3e4}
	for i := 0; i < 4000; i++ {
		x = append(x, float32(r.NormFloat64()*4))
	}
	for n := 1; n <= 7; n++ { // every tail length
		x = append(x, float32(n)/3)
	}
	var want []float32
	for _, f := range geluForms() {
		got := append([]float32(nil), x...)
		f.fn(got)
		if want == nil {
			want = got
			continue
		}
		var worst, worstMid float64 // all x; x ≥ -4 (|gelu| > 1e-4·|x|)
		for i := range want {
			// RefGELUTanh computes 1+tanh(u) in float64, which cancels for
			// x < -5 (exactly 0 below x ≈ -8.5 where the true value is
			// ~1e-28): its own absolute error is up to ~2^-53·|x|.
			if d := math.Abs(float64(got[i]) - float64(want[i])); !withinRel(got[i], want[i]) && d > 2e-16*math.Abs(float64(x[i])) {
				t.Fatalf("%s: gelu(%v) = %v, ref %v", f.name, x[i], got[i], want[i])
			}
			// the error against an accurate oracle, x·σ(2u) in float64, for the log
			f := float64(x[i])
			exact := float32(f / (1 + math.Exp(-2*math.Sqrt(2/math.Pi)*(f+0.044715*f*f*f))))
			if exact != 0 && math.Abs(float64(exact)) > 1e-37 {
				e := math.Abs(float64(got[i])/float64(exact) - 1)
				worst = math.Max(worst, e)
				if x[i] >= -4 {
					worstMid = math.Max(worstMid, e)
				}
			}
		}
		t.Logf("%s: worst relative error against x·σ(2u) in float64: %.3g (x ≥ -4: %.3g)", f.name, worst, worstMid)
	}
	// every tail length on its own slice, so the partial vector is exercised
	for n := 1; n <= 9; n++ {
		for _, f := range geluForms()[1:] {
			got := filled(n)
			for i := 0; i < n; i++ {
				got[i] = float32(i) - 2
			}
			f.fn(got[:n])
			checkGuard(t, "gelu/"+f.name, got, n)
		}
	}
}

func TestConformanceSoftmax(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	for _, sh := range []struct{ m, n int }{{1, 1}, {2, 3}, {3, 7}, {5, 64}, {4, 257}} {
		for _, spread := range []float64{1, 10, 60} {
			name := fmt.Sprintf("%dx%d/spread=%v", sh.m, sh.n, spread)
			x := make([]float32, sh.m*sh.n)
			for i := range x {
				x[i] = float32(r.NormFloat64() * spread)
			}
			var want []float32
			for _, f := range softmaxForms() {
				got := filled(sh.m * sh.n)
				copy(got, x)
				f.fn(got[:sh.m*sh.n], sh.m, sh.n)
				checkGuard(t, name+"/"+f.name, got, sh.m*sh.n)
				if want == nil {
					want = got
					continue
				}
				for i := 0; i < sh.m*sh.n; i++ {
					if !withinRel(got[i], want[i]) {
						t.Fatalf("%s/%s: p[%d] = %v, ref %v", name, f.name, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestSIMDPresent fails a -tags simd js/wasm run that silently fell back to
// pure Go (e.g. run with Go's own go_js_wasm_exec), so CI cannot pass
// without having tested the simd128 forms.
//
// SIGLIP_SIMD=off (honoured by the runner) withholds the kernel module, as
// a host without SIMD would: then the build must fall back to pure Go.
func TestSIMDPresent(t *testing.T) {
	if os.Getenv("SIGLIP_SIMD") == "off" {
		if SIMD() {
			t.Fatal("SIGLIP_SIMD=off: the kernel module was withheld, yet SIMD() reports true")
		}
		return
	}
	if wantSIMD && !SIMD() {
		t.Fatal("built with -tags simd but the simd128 kernels are not available (run under build/wasmexec/go_js_wasm_exec)")
	}
	if SIMD() && active.matMulQ4 == nil {
		t.Fatal("the simd128 kernels are in use but MatMulQ4 has no simd form")
	}
	t.Logf("simd128 kernels in use: %v; forms: %v", SIMD(), KernelForms())
}
