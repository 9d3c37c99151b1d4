package ref64

import (
	"math"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/model"
)

// The oracle itself against transformers' float64 goldens of the tiny
// model (testdata/tiny: formula weights, 256 px, patch 16): so the larger
// shapes it checks the engine at are checked by something known right.
// Bounds 1e-7: two float64 computations differ by summation order (1e-8
// measured on the text side), a hundred times below the float32 floor
// (≈1e-6, testdata/tiny/golden_meta.json) the engine sits on.
func TestTinyAgainstTransformers(t *testing.T) {
	g, err := refdata.LoadNPZ("tiny/golden.npz")
	if err != nil {
		t.Fatal(err)
	}
	px, idsA := g["pixel_values"], g["input_ids"]
	ids := make([]int32, len(idsA.I64))
	for i, v := range idsA.I64 {
		ids[i] = int32(v)
	}
	formula := func(name string, n int) []float32 { return model.FormulaTensor(name, n) }
	vis := Tower{Hidden: 64, Intermediate: 256, Layers: 2, Heads: 4, Eps: 1e-6, Channels: 3, ImageSize: 256, PatchSize: 16}
	txt := Tower{Hidden: 64, Intermediate: 256, Layers: 2, Heads: 4, Eps: 1e-6, Vocab: 32000, Projection: 64}
	nImg, nTxt := px.Shape[0], idsA.Shape[0]
	img := Vision(vis, formula, px.F32(), nImg)
	tx := Text(txt, formula, ids, nTxt)
	logits := Logits(img, tx, nImg, nTxt, float64(formula("logit_scale", 1)[0]), float64(formula("logit_bias", 1)[0]))
	for _, k := range []struct {
		key string
		got []float64
		tol float64
	}{{"logits_per_image", logits, 1e-7}, {"image_embeds", img, 1e-7}, {"text_embeds", tx, 1e-7}} {
		want := g["fp64/"+k.key].F64
		if len(k.got) != len(want) {
			t.Fatalf("%s: %d values, golden has %d", k.key, len(k.got), len(want))
		}
		d := 0.0
		for i := range want {
			d = math.Max(d, math.Abs(k.got[i]-want[i]))
		}
		t.Logf("%-18s max abs diff to transformers fp64 %.3g", k.key, d)
		if !(d <= k.tol) {
			t.Errorf("%s: max abs diff %g > %g", k.key, d, k.tol)
		}
	}
}
