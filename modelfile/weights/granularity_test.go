package weights

import (
	"math"
	"os"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// fakeQ8 wraps a source: every Linear / Embedding weight is quantized to
// int8 (per output row, or per block of `block` along the input) and
// dequantized again, so an f32 model file shows the weight error alone.
type fakeQ8 struct {
	modelfile.Source
	kinds map[string]modelfile.Spec
	block int // 0: per row
}

func (f fakeQ8) Tensor(name string) ([]int, []float32, error) {
	shape, v, err := f.Source.Tensor(name)
	sp, ok := f.kinds[name]
	if err != nil || !ok || sp.Kind == modelfile.Float {
		return shape, v, err
	}
	out := make([]float32, len(v))
	blk := sp.K
	if f.block > 0 {
		blk = f.block
	}
	for r := 0; r < sp.N; r++ {
		for lo := 0; lo < sp.K; lo += blk {
			seg := v[r*sp.K+lo : r*sp.K+min(lo+blk, sp.K)]
			var amax float32
			for _, x := range seg {
				amax = max(amax, float32(math.Abs(float64(x))))
			}
			s := amax / 127
			for i, x := range seg {
				if s != 0 {
					out[r*sp.K+lo+i] = s * float32(math.RoundToEven(float64(x)/float64(s)))
				}
			}
		}
	}
	return shape, out, nil
}

// TestQ8Granularity compares int8 weights per output channel with int8 per
// block of 32 on the base-256 architecture (weight error only: dequantized
// weights, float activations). Runs with SIGLIP_Q8_GRANULARITY=1.
func TestQ8Granularity(t *testing.T) {
	if os.Getenv("SIGLIP_Q8_GRANULARITY") != "1" {
		t.Skip("set SIGLIP_Q8_GRANULARITY=1 (two base-256 f32 forward passes)")
	}
	dir := os.Getenv("SIGLIP_Q8_GRANULARITY_DIR")
	if dir == "" {
		dir = "full"
	}
	cfg := read(t, dir+"/config.json")
	specs, _ := Specs(cfg)
	kinds := map[string]modelfile.Spec{}
	for _, s := range specs {
		kinds[s.Name] = s
	}
	var src modelfile.Source = newFormula(t, cfg)
	for _, block := range []int{0, 32} {
		name := "per-channel"
		if block > 0 {
			name = "per-block-32"
		}
		goldenCheck(t, dir+" q8 "+name+" (dequantized)", convert(t, cfg, fakeQ8{src, kinds, block}, modelfile.SchemeF32), dir, modelfile.SchemeF32)
	}
}
