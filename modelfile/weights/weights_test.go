package weights

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/siglip-wasm/siglip-wasm/gptq"
	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

var schemes = []string{modelfile.SchemeF32, modelfile.SchemeF16, modelfile.SchemeQ8, modelfile.SchemeQ4}

func read(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(refdata.Path(rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// convert writes a model file in memory from a float source, as the CLI
// does: q4 is calibrated by GPTQ on the built-in calibration set (none of
// whose images or texts is a golden input); "q4-rtn" is q4 rounded to
// nearest, for comparison.
func convert(t testing.TB, cfg []byte, src modelfile.Source, scheme string) []byte {
	t.Helper()
	tok := read(t, "tokenizer/xlnet-base-cased-spiece.model")
	var opt modelfile.Options
	switch scheme {
	case modelfile.SchemeQ4:
		start := time.Now()
		res, err := gptq.CalibrateDefault(cfg, tok, src, gptq.Options{})
		if err != nil {
			t.Fatal(err)
		}
		opt.Q4, opt.Q4Method = res.Q4, "gptq"
		t.Logf("gptq: %d Linears calibrated in %v; calibration output error vs round to nearest: median ×%.3f",
			len(res.Stats), time.Since(start).Round(time.Second), res.MedianRatio())
	case "q4-rtn":
		scheme = modelfile.SchemeQ4
	}
	var buf bytes.Buffer
	if err := modelfile.WriteOptions(&buf, Specs, cfg, tok, modelfile.TokenizerSentencePiece, src, scheme, opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func hfSource(t testing.TB, rel string) modelfile.Source {
	st, err := safetensors.Parse(read(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return modelfile.FromSafetensors(st)
}

// formulaSource serves the reference formula weights for a config.
type formulaSource map[string][]int

func newFormula(t testing.TB, cfg []byte) formulaSource {
	specs, err := Specs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fs := formulaSource{}
	for _, s := range specs {
		fs[s.Name] = s.HFShape
	}
	return fs
}

func (fs formulaSource) Tensor(name string) ([]int, []float32, error) {
	shape, ok := fs[name]
	if !ok {
		return nil, nil, fmt.Errorf("no tensor %q", name)
	}
	return shape, model.FormulaTensor(name, shape...), nil
}

type outputs struct{ img, txt, logits []float32 }

func forward(t testing.TB, m *model.Model, pixels []float32, nImg int, ids []int32, nTxt int) outputs {
	t.Helper()
	p, err := m.NewPlan(nImg, nTxt)
	if err != nil {
		t.Fatal(err)
	}
	img, err := p.Images(pixels, nImg)
	if err != nil {
		t.Fatal(err)
	}
	txt, err := p.Texts(ids, nTxt)
	if err != nil {
		t.Fatal(err)
	}
	o := outputs{img: img, txt: txt, logits: make([]float32, nImg*nTxt)}
	m.LogitsPerImage(o.logits, img, txt, nImg, nTxt)
	return o
}

func ints32(a refdata.Array) []int32 {
	out := make([]int32, len(a.I64))
	for i, v := range a.I64 {
		out[i] = int32(v)
	}
	return out
}

// accuracy bounds per scheme against transformers' fp64 outputs: minimum
// embedding cosine and maximum logit error.
var bounds = map[string]struct{ cos, logit float64 }{
	modelfile.SchemeF32: {0.99999, 1e-3},
	modelfile.SchemeF16: {0.9999, 0.02},
	modelfile.SchemeQ8:  {0.999, 0.05},
	modelfile.SchemeQ4:  {0.99, 0.5},
}

// goldenCheck runs a model file on a reference set (golden.npz) and
// compares embeddings and logits with transformers' fp64 outputs.
func goldenCheck(t *testing.T, name string, data []byte, dir string, scheme string) {
	start := time.Now()
	m, f, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	loaded := time.Since(start)
	if f.Scheme() != scheme {
		t.Fatalf("scheme %q", f.Scheme())
	}
	g, err := refdata.LoadNPZ(dir + "/golden.npz")
	if err != nil {
		t.Fatal(err)
	}
	px, ids := g["pixel_values"], g["input_ids"]
	o := forward(t, m, px.F32(), px.Shape[0], ints32(ids), ids.Shape[0])
	ci := refdata.MinCosine(o.img, g["fp64/image_embeds"].F64, px.Shape[0])
	ct := refdata.MinCosine(o.txt, g["fp64/text_embeds"].F64, ids.Shape[0])
	dl := refdata.MaxAbsDiff(o.logits, g["fp64/logits_per_image"].F64)
	t.Logf("%s %s (%.1f MB): image cos %.6f, text cos %.6f, logits max err %.4f; load %v, forward %v",
		name, scheme, float64(len(data))/1e6, ci, ct, dl, loaded.Round(time.Millisecond), (time.Since(start) - loaded).Round(time.Millisecond))
	b := bounds[scheme]
	if name == "q4-rtn" {
		// Round to nearest, kept for comparison (SIGLIP_FULL_SCHEMES=q4-rtn):
		// measured 0.981 / 0.980 on base-256, the 4-bit grid's own noise
		// (≈6.7% per product) added up over twelve layers. GPTQ is what
		// reaches the 0.99.
		b.cos = 0.975
	}
	if (ci < b.cos || ct < b.cos || dl > b.logit) && !strings.Contains(name, "dequantized") {
		t.Errorf("%s %s: cosine %.6f / %.6f (want ≥ %g), logits err %.4f (want ≤ %g)", name, scheme, ci, ct, b.cos, dl, b.logit)
	}
}

func TestTinyGolden(t *testing.T) {
	cfg := read(t, "tiny/config.json")
	src := hfSource(t, "tiny/model.safetensors")
	for _, scheme := range schemes {
		goldenCheck(t, "tiny", convert(t, cfg, src, scheme), "tiny", scheme)
	}
}

// TestFullGolden: google/siglip-base-patch16-256's architecture with the
// formula weights, converted in memory to q8 and q4 and run on the model
// file directly. Skipped with -short (about a minute on two cores).
func TestFullGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("base-256 (203M parameters) skipped with -short")
	}
	cfg := read(t, "full/config.json")
	src := newFormula(t, cfg)
	for _, scheme := range fullSchemes() {
		data := convert(t, cfg, src, scheme)
		name := "base-256"
		if scheme == "q4-rtn" {
			name, scheme = scheme, modelfile.SchemeQ4
		}
		goldenCheck(t, name, data, "full", scheme)
		runtime.GC()
	}
}

// demoLabels maps each sample to the index of the prompt its file name
// names ("sample_00_small_black_ring_on_blue.png" → "a photo of a black ring").
func demoLabels(t testing.TB) ([]int, int) {
	var meta struct {
		Prompts []string `json:"prompts"`
		Samples []string `json:"samples"`
	}
	if err := json.Unmarshal(read(t, "demo/demo_meta.json"), &meta); err != nil {
		t.Fatal(err)
	}
	var labels []int
	for _, s := range meta.Samples {
		parts := strings.Split(strings.TrimSuffix(s, ".png"), "_") // sample NN size colour shape on bg
		want := "a photo of a " + parts[3] + " " + parts[4]
		idx := -1
		for i, p := range meta.Prompts {
			if p == want {
				idx = i
			}
		}
		if idx < 0 {
			t.Fatalf("%s: no prompt %q", s, want)
		}
		labels = append(labels, idx)
	}
	return labels, len(meta.Prompts)
}

// TestDemo converts the demo checkpoint (fp16) to every scheme and checks
// that each classifies the 12 samples as their file names say, and how far
// its logits are from transformers' with the fp16 weights.
func TestDemo(t *testing.T) {
	labels, nPrompts := demoLabels(t)
	g, err := refdata.LoadNPZ("demo/golden_demo.npz")
	if err != nil {
		t.Fatal(err)
	}
	px, ids, ref := g["pixel_values"], g["prompt_ids"], g["logits_fp16_weights"]
	if px.Shape[0] != len(labels) || ids.Shape[0] != nPrompts {
		t.Fatalf("golden shapes %v %v", px.Shape, ids.Shape)
	}
	cfg := read(t, "demo/model/config.json")
	src := hfSource(t, "demo/model/model.safetensors")
	logitBound := map[string]float64{modelfile.SchemeF32: 1e-3, modelfile.SchemeF16: 1e-3, modelfile.SchemeQ8: 0.5, modelfile.SchemeQ4: 2.5}
	for _, scheme := range schemes {
		m, _, err := Load(convert(t, cfg, src, scheme))
		if err != nil {
			t.Fatal(err)
		}
		o := forward(t, m, px.F32(), px.Shape[0], ints32(ids), nPrompts)
		for i, want := range labels {
			row := o.logits[i*nPrompts : (i+1)*nPrompts]
			best := 0
			for j := range row {
				if row[j] > row[best] {
					best = j
				}
			}
			if best != want {
				t.Errorf("%s: sample %d classified as prompt %d, its name says %d", scheme, i, best, want)
			}
		}
		d := refdata.MaxAbsDiff(o.logits, ref.F64)
		t.Logf("demo %s: 12/12 checked, logits vs transformers (fp16 weights) max err %.4f", scheme, d)
		if d > logitBound[scheme] {
			t.Errorf("demo %s: logits max err %.4f > %g", scheme, d, logitBound[scheme])
		}
	}
}

// fullSchemes is q8 and q4, or the schemes in SIGLIP_FULL_SCHEMES (comma
// separated) to rerun one.
func fullSchemes() []string {
	if s := os.Getenv("SIGLIP_FULL_SCHEMES"); s != "" {
		return strings.Split(s, ",")
	}
	return []string{modelfile.SchemeQ8, modelfile.SchemeQ4}
}
