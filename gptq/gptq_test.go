package gptq

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

func randomRows(rng *rand.Rand, m, k int, mix func(i int) float64) []float32 {
	x := make([]float32, m*k)
	for r := 0; r < m; r++ {
		for i := 0; i < k; i++ {
			x[r*k+i] = float32(rng.NormFloat64() * mix(i))
		}
	}
	return x
}

// TestFeedback: (R+I)·D·(R+I)ᵀ = H + λI for a random second moment, with
// R strictly upper triangular and D = the diagonal that makes it hold.
func TestFeedback(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const m, k = 300, 70
	x := randomRows(rng, m, k, func(i int) float64 { return 1 + float64(i%7) })
	h := gram(x, m, k)
	orig := slices.Clone(h)
	const damp = 0.01
	r, err := feedback(h, k, damp)
	if err != nil {
		t.Fatal(err)
	}
	var mean float64
	for i := 0; i < k; i++ {
		mean += orig[i*k+i]
		for j := 0; j <= i; j++ {
			if r[i*k+j] != 0 {
				t.Fatalf("R[%d][%d] = %v on or below the diagonal", i, j, r[i*k+j])
			}
		}
	}
	mean /= k
	for i := 0; i < k; i++ {
		orig[i*k+i] += damp * mean
		r[i*k+i] = 1 // R+I
	}
	// The last diagonal entry of D is H[K-1][K-1]; going backwards, D_j =
	// H[j][j] − Σ_{l>j} (R+I)[j][l]² D_l.
	d := make([]float64, k)
	for j := k - 1; j >= 0; j-- {
		s := orig[j*k+j]
		for l := j + 1; l < k; l++ {
			s -= r[j*k+l] * r[j*k+l] * d[l]
		}
		d[j] = s
	}
	var worst float64
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			var s float64
			for l := 0; l < k; l++ {
				s += r[i*k+l] * d[l] * r[j*k+l]
			}
			worst = math.Max(worst, math.Abs(s-orig[i*k+j])/math.Sqrt(orig[i*k+i]*orig[j*k+j]))
		}
	}
	if worst > 1e-9 {
		t.Fatalf("(R+I)D(R+I)ᵀ − (H+λI): max relative %g", worst)
	}
}

// TestGram: the float32-kernel Gram matrix matches a float64 loop.
func TestGram(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const m, k = 1100, 40 // more than one slab
	x := randomRows(rng, m, k, func(int) float64 { return 1 })
	h := gram(x, m, k)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			var s float64
			for r := 0; r < m; r++ {
				s += float64(x[r*k+i]) * float64(x[r*k+j])
			}
			if math.Abs(h[i*k+j]-s) > 1e-4*m {
				t.Fatalf("H[%d][%d] = %v, want %v", i, j, h[i*k+j], s)
			}
		}
	}
}

// TestIsotropicIsRoundToNearest: with H ∝ I nothing is carried, so GPTQ
// must give RoundQ4's bytes exactly.
func TestIsotropicIsRoundToNearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, k = 24, 100 // a partial last block
	w := make([]float32, n*k)
	for i := range w {
		w[i] = float32(rng.Float64()*0.1 - 0.05)
	}
	h := make([]float64, k*k)
	for i := 0; i < k; i++ {
		h[i*k+i] = 3
	}
	r, err := feedback(h, k, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	q, scales := quantizeRows(w, n, k, r)
	wantData, wantScales := modelfile.RoundQ4(w, n, k)
	if !bytes.Equal(modelfile.PackQ4(q, n, k), wantData) || !slices.Equal(scales, wantScales) {
		t.Fatal("GPTQ with H ∝ I differs from round to nearest")
	}
}

// TestBeatsRoundToNearest: on correlated inputs GPTQ's output error is
// well below round to nearest's, on the calibration rows and on fresh
// rows from the same distribution.
func TestBeatsRoundToNearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n, k, m = 64, 256, 2048
	// Inputs with a shared component and uneven scales, like a
	// transformer's residual stream.
	mk := func(m int) []float32 {
		x := randomRows(rng, m, k, func(i int) float64 { return 0.2 + float64(i%5) })
		for r := 0; r < m; r++ {
			c := float32(rng.NormFloat64() * 3)
			for i := 0; i < k; i++ {
				x[r*k+i] += c * float32(1+i%3)
			}
		}
		return x
	}
	x, fresh := mk(m), mk(m)
	w := make([]float32, n*k)
	for i := range w {
		w[i] = float32(rng.Float64()*0.1 - 0.05)
	}
	fb, err := feedback(gram(x, m, k), k, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	q, scales := quantizeRows(w, n, k, fb)
	g, _ := kernel.NewPackedQ4(modelfile.PackQ4(q, n, k), scales, n, k)
	rd, rs := modelfile.RoundQ4(w, n, k)
	r, _ := kernel.NewPackedQ4(rd, rs, n, k)
	for _, c := range []struct {
		what string
		x    []float32
	}{{"calibration rows", x}, {"fresh rows", fresh}} {
		er, eg := outputErrors(c.x, m, w, n, k, r, g)
		t.Logf("%s: output error round-to-nearest %.3e, GPTQ %.3e (×%.3f)", c.what, er, eg, eg/er)
		if !(eg < 0.5*er) {
			t.Errorf("%s: GPTQ error %.3e not below half of round to nearest's %.3e", c.what, eg, er)
		}
	}
}

// TestCalibrateTiny calibrates the tiny reference model on the built-in
// set: every 4-bit Linear of both towers is calibrated once, each with a
// lower output error than round to nearest on the calibration rows, and
// the Result serves exactly those blocks (round to nearest for others).
func TestCalibrateTiny(t *testing.T) {
	cfg := readRef(t, "tiny/config.json")
	st, err := safetensors.Parse(readRef(t, "tiny/model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	src := modelfile.FromSafetensors(st)
	res, err := CalibrateDefault(cfg, readRef(t, "tokenizer/xlnet-base-cased-spiece.model"), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	specs, err := weights.Specs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, s := range specs {
		if s.Kind == modelfile.Linear && !modelfile.Q4KeepsQ8(s.Name) {
			want++
		}
	}
	if len(res.Stats) != want {
		t.Fatalf("%d Linears calibrated, the config has %d 4-bit Linears", len(res.Stats), want)
	}
	seen := map[string]bool{}
	for _, s := range res.Stats {
		if seen[s.Name] {
			t.Errorf("%s calibrated twice", s.Name)
		}
		seen[s.Name] = true
		if !(s.GPTQ < s.RTN) {
			t.Errorf("%s: GPTQ output error %.3e not below round to nearest's %.3e", s.Name, s.GPTQ, s.RTN)
		}
	}
	t.Logf("%d Linears, median error ratio ×%.3f", len(res.Stats), res.MedianRatio())
	name := res.Stats[0].Name
	shape, w, err := src.Tensor(name)
	if err != nil {
		t.Fatal(err)
	}
	d, sc, err := res.Q4(name, w, shape[0], shape[1])
	if err != nil {
		t.Fatal(err)
	}
	rd, rs := modelfile.RoundQ4(w, shape[0], shape[1])
	if bytes.Equal(d, rd) && slices.Equal(sc, rs) {
		t.Errorf("%s: the calibrated blocks equal round to nearest's", name)
	}
	if _, _, err := res.Q4(name, w, shape[0]/2, shape[1]); err == nil {
		t.Error("a shape mismatch was not reported")
	}
	d, sc, _ = res.Q4("not.calibrated", w, shape[0], shape[1])
	if !bytes.Equal(d, rd) || !slices.Equal(sc, rs) {
		t.Error("an uncalibrated Linear is not rounded to nearest")
	}
	if _, err := Calibrate(cfg, src, &Inputs{}, Options{}); err == nil {
		t.Error("an empty calibration set was accepted")
	}
}

func readRef(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(refdata.Path(rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
