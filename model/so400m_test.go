package model

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/siglip-wasm/siglip-wasm/internal/ref64"
)

// so400mConfig is google/siglip-so400m-patch14-<size>'s config.json at its
// real widths (hidden 1152, MLP 4304, 16 heads, vocabulary 32000), with 2
// layers per tower instead of 27: depth does not change what is checked
// here (the 14-px patch grid that leaves a remainder, and the widths).
func so400mConfig(t testing.TB, size int) Config {
	t.Helper()
	tower := map[string]any{"hidden_size": 1152, "intermediate_size": 4304, "num_attention_heads": 16, "num_hidden_layers": 2}
	vision := map[string]any{"image_size": size, "patch_size": 14}
	text := map[string]any{"vocab_size": 32000}
	for k, v := range tower {
		vision[k], text[k] = v, v
	}
	b, _ := json.Marshal(map[string]any{"model_type": "siglip", "text_config": text, "vision_config": vision})
	c, err := ParseConfigJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// towers is the oracle's reading of a config.
func towers(c Config) (vis, txt ref64.Tower) {
	v, x := c.VisionConfig, c.TextConfig
	vis = ref64.Tower{Hidden: v.HiddenSize, Intermediate: v.IntermediateSize, Layers: v.NumHiddenLayers, Heads: v.NumAttentionHeads,
		Eps: v.LayerNormEps, Channels: v.NumChannels, ImageSize: v.ImageSize, PatchSize: v.PatchSize}
	txt = ref64.Tower{Hidden: x.HiddenSize, Intermediate: x.IntermediateSize, Layers: x.NumHiddenLayers, Heads: x.NumAttentionHeads,
		Eps: x.LayerNormEps, Vocab: x.VocabSize, Projection: x.ProjectionSize}
	return vis, txt
}

// so400mInputs: one smooth test image whose right and bottom remainder
// (the pixels no patch covers) holds extreme values, so a grid that read
// them would show; two token sequences padded to 64.
func so400mInputs(c Config) (pixels []float32, ids []int32) {
	v := c.VisionConfig
	size, covered := v.ImageSize, v.GridSize()*v.PatchSize
	pixels = make([]float32, v.NumChannels*size*size)
	for ch := 0; ch < v.NumChannels; ch++ {
		for y := 0; y < size; y++ {
			for x := 0; x < size; x++ {
				p := math.Sin(float64(x)*0.05+float64(ch))*math.Cos(float64(y)*0.07) + 0.1*math.Sin(float64(x*y)*0.31)
				if x >= covered || y >= covered {
					p = 40
				}
				pixels[(ch*size+y)*size+x] = float32(p)
			}
		}
	}
	ids = make([]int32, 2*64)
	for i := range ids {
		ids[i] = 1
	}
	copy(ids, []int32{262, 1340, 13, 9, 2914, 1})
	copy(ids[64:], []int32{262, 1340, 13, 9, 31999, 7, 1})
	return pixels, ids
}

// TestSo400m: so400m-patch14-384 (27×27 patches, 6 px ignored) and
// so400m-patch14-224 (16×16, exact) against the float64 oracle:
// f32 logits within 1e-4, q8 (int8 linears) embeddings cosine ≥ 0.9995.
// The text tower is the same for both sizes, so it runs once per scheme.
func TestSo400m(t *testing.T) {
	if testing.Short() {
		t.Skip("so400m widths (two vision towers of ~45M parameters) skipped with -short")
	}
	formula := func(name string, n int) []float32 { return FormulaTensor(name, n) }
	sizes := []int{384, 224}
	cfgs := map[int]Config{}
	start := time.Now()
	refImg := map[int][]float64{}
	var refTxt []float64
	var ids []int32
	for _, size := range sizes {
		c := so400mConfig(t, size)
		cfgs[size] = c
		var pixels []float32
		pixels, ids = so400mInputs(c)
		vis, txt := towers(c)
		if refTxt == nil {
			refTxt = ref64.Text(txt, formula, ids, 2)
		}
		refImg[size] = ref64.Vision(vis, formula, pixels, 1)
	}
	t.Logf("float64 oracle: %v", time.Since(start).Round(time.Millisecond))
	scale, bias := float64(formula("logit_scale", 1)[0]), float64(formula("logit_bias", 1)[0])
	for _, scheme := range []string{"f32", "q8"} {
		var src WeightSource = FormulaSource{}
		if scheme == "q8" {
			src = Quantized(src)
		}
		start := time.Now()
		tm, err := LoadTowers(cfgs[384], src, false, true)
		if err != nil {
			t.Fatal(err)
		}
		tp, err := tm.NewPlan(0, 2)
		if err != nil {
			t.Fatal(err)
		}
		txtEmb, err := tp.Texts(ids, 2)
		if err != nil {
			t.Fatal(err)
		}
		d := cfgs[384].EmbedDim()
		ct := min(cosine(txtEmb[:d], refTxt[:d]), cosine(txtEmb[d:], refTxt[d:]))
		t.Logf("so400m text %s: cosine %.7f (%v)", scheme, ct, time.Since(start).Round(time.Millisecond))
		for _, size := range sizes {
			start := time.Now()
			c := cfgs[size]
			pixels, _ := so400mInputs(c)
			m, err := LoadTowers(c, src, true, false)
			if err != nil {
				t.Fatal(err)
			}
			p, err := m.NewPlan(1, 0)
			if err != nil {
				t.Fatal(err)
			}
			img, err := p.Images(pixels, 1)
			if err != nil {
				t.Fatal(err)
			}
			logits := make([]float32, 2)
			m.LogitsPerImage(logits, img, txtEmb, 1, 2)
			refLogits := ref64.Logits(refImg[size], refTxt, 1, 2, scale, bias)
			dl := 0.0
			for i := range logits {
				dl = math.Max(dl, math.Abs(float64(logits[i])-refLogits[i]))
			}
			ci := cosine(img, refImg[size])
			t.Logf("so400m-patch14-%d %s: grid %d, logits max abs err %.3g, image cosine %.7f (%v)",
				size, scheme, c.VisionConfig.GridSize(), dl, ci, time.Since(start).Round(time.Millisecond))
			switch scheme {
			case "f32":
				if !(dl <= 1e-4) {
					t.Errorf("so400m-%d f32: logits max abs err %g > 1e-4", size, dl)
				}
			case "q8":
				if !(ci >= 0.9995 && ct >= 0.9995) {
					t.Errorf("so400m-%d q8: cosine image %v text %v < 0.9995", size, ci, ct)
				}
			}
		}
	}
}

func cosine(a []float32, b []float64) float64 {
	var ab, aa, bb float64
	for i := range b {
		ab += float64(a[i]) * b[i]
		aa += float64(a[i]) * float64(a[i])
		bb += b[i] * b[i]
	}
	return ab / math.Sqrt(aa*bb)
}
