package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
	"github.com/x448/float16"
)

func tinyFile(t testing.TB) *safetensors.File {
	t.Helper()
	w, err := os.ReadFile(refdata.Path("tiny/model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Parse(w)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The generator must rebuild tiny/model.safetensors bit for bit, and the
// tensors TensorSpecs names must be exactly the file's.
func TestFormulaMatchesTinySafetensors(t *testing.T) {
	f := tinyFile(t)
	specs := TensorSpecs(readConfig(t, "tiny"))
	if len(specs) != f.Len() {
		t.Fatalf("TensorSpecs has %d tensors, the file %d", len(specs), f.Len())
	}
	for _, s := range specs {
		tt, ok := f.Tensor(s.Name)
		if !ok {
			t.Fatalf("file has no %q", s.Name)
		}
		if !sameShape(tt.Shape, s.Shape) {
			t.Fatalf("%s: file shape %v, spec %v", s.Name, tt.Shape, s.Shape)
		}
		want, _ := tt.Float32s()
		got := FormulaTensor(s.Name, s.Shape...)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s[%d]: formula %v, file %v", s.Name, i, got[i], want[i])
			}
		}
	}
}

// For full/ and large/ (no weights shipped), names, shapes and the first
// values must match the manifest written by the reference generator.
func TestFormulaMatchesManifests(t *testing.T) {
	for _, dir := range []string{"tiny", "full", "large"} {
		b, err := os.ReadFile(refdata.Path(dir + "/weights_manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var man []struct {
			Name  string    `json:"name"`
			Shape []int     `json:"shape"`
			First []float64 `json:"first"`
		}
		if err := json.Unmarshal(b, &man); err != nil {
			t.Fatal(err)
		}
		specs := TensorSpecs(readConfig(t, dir))
		if len(specs) != len(man) {
			t.Fatalf("%s: %d specs, manifest %d", dir, len(specs), len(man))
		}
		byName := map[string]TensorSpec{}
		for _, s := range specs {
			byName[s.Name] = s
		}
		for _, e := range man {
			s, ok := byName[e.Name]
			if !ok || !sameShape(s.Shape, e.Shape) {
				t.Fatalf("%s: manifest %s %v, spec %v", dir, e.Name, e.Shape, s.Shape)
			}
			got := make([]float32, len(e.First))
			formulaRange(got, fnv1a64(e.Name), formulaOffset(e.Name), formulaScale(e.Name), 0)
			for i, w := range e.First {
				if got[i] != float32(w) {
					t.Fatalf("%s: %s[%d] = %v, manifest %v", dir, e.Name, i, got[i], w)
				}
			}
		}
	}
}

func formulaOffset(name string) float64 { o, _ := formulaRule(name); return o }
func formulaScale(name string) float64  { _, s := formulaRule(name); return s }

// recode rewrites a safetensors file with every tensor in dtype.
func recode(t testing.TB, f *safetensors.File, dtype safetensors.DType, round func(float32) float32) []byte {
	t.Helper()
	var ts []safetensors.Tensor
	for _, name := range f.Names() {
		tt, _ := f.Tensor(name)
		v, _ := tt.Float32s()
		var data []byte
		switch dtype {
		case safetensors.F16:
			data = safetensors.F16Bytes(v)
		case safetensors.BF16:
			data = make([]byte, 2*len(v))
			for i, x := range v {
				binary.LittleEndian.PutUint16(data[2*i:], uint16(math.Float32bits(round(x))>>16))
			}
		case safetensors.F32:
			r := make([]float32, len(v))
			for i, x := range v {
				r[i] = round(x)
			}
			data = safetensors.F32Bytes(r)
		}
		ts = append(ts, safetensors.Tensor{Name: name, DType: dtype, Shape: tt.Shape, Data: data})
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, ts, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func roundF16(x float32) float32 { return float16.Fromfloat32(x).Float32() }

// roundBF16 rounds to bfloat16, nearest even (as torch's .to(bfloat16)).
func roundBF16(x float32) float32 {
	b := math.Float32bits(x)
	b += 0x7fff + (b>>16)&1
	return math.Float32frombits(b &^ 0xffff)
}

// Half-precision files: the engine must give exactly what it gives on the
// same rounded values stored as F32 (the decoding is exact), and stay near
// the fp32-weight golden. The golden bounds are looser because the weights
// themselves differ: F16 keeps 11 significant bits (relative error ≤ 2^-11
// per weight), BF16 only 8 (≤ 2^-8), and those errors pass through every
// layer.
func TestTinyHalfPrecisionWeights(t *testing.T) {
	if testing.Short() {
		t.Skip("re-encodes the tiny model twice per dtype; skipped with -short")
	}
	f := tinyFile(t)
	cfg, err := os.ReadFile(refdata.Path("tiny/config.json"))
	if err != nil {
		t.Fatal(err)
	}
	g := loadGolden(t, "tiny")
	for _, c := range []struct {
		dtype safetensors.DType
		round func(float32) float32
		scale float64
	}{{safetensors.F16, roundF16, 50}, {safetensors.BF16, roundBF16, 400}} {
		half, err := LoadHF(cfg, recode(t, f, c.dtype, c.round))
		if err != nil {
			t.Fatal(err)
		}
		asF32, err := LoadHF(cfg, recode(t, f, safetensors.F32, c.round))
		if err != nil {
			t.Fatal(err)
		}
		r1, r2 := run(t, half, g), run(t, asF32, g)
		for i := range r1.logits {
			if r1.logits[i] != r2.logits[i] {
				t.Fatalf("%s: logits[%d] %v, same weights as F32 give %v", c.dtype, i, r1.logits[i], r2.logits[i])
			}
		}
		t.Logf("%s weights vs fp32-weight golden:", c.dtype)
		check(t, r1, g, tinyBounds(c.scale))
	}
}

func TestLoadErrors(t *testing.T) {
	f := tinyFile(t)
	cfgJSON, _ := os.ReadFile(refdata.Path("tiny/config.json"))
	// Drop one tensor, reshape another, retype a third.
	edit := func(skip, reshape, retype string) []byte {
		var ts []safetensors.Tensor
		for _, name := range f.Names() {
			tt, _ := f.Tensor(name)
			switch name {
			case skip:
				continue
			case reshape:
				tt.Shape = []int{tt.NumElements()}
			case retype:
				tt.DType = safetensors.I32
			}
			ts = append(ts, tt)
		}
		var buf bytes.Buffer
		if err := safetensors.Write(&buf, ts, nil); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, c := range []struct {
		data []byte
		want string
	}{
		{edit("vision_model.encoder.layers.1.mlp.fc2.bias", "", ""), `no tensor "vision_model.encoder.layers.1.mlp.fc2.bias"`},
		{edit("", "text_model.head.weight", ""), `"text_model.head.weight" has shape [4096], want [64 64]`},
		{edit("", "", "vision_model.head.probe"), `"vision_model.head.probe" has dtype I32`},
	} {
		_, err := LoadHF(cfgJSON, c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want it to contain %q", err, c.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	base := `{"model_type":"siglip","text_config":{%s},"vision_config":{%s}}`
	for _, c := range []struct{ text, vision, want string }{
		{``, `"image_size":15`, "image_size 15 is smaller than patch_size 16"},
		{`"hidden_size":96`, ``, "projection_size 96 must equal"},
		{`"num_attention_heads":5`, ``, "not divisible by num_attention_heads"},
		{`"hidden_act":"relu"`, ``, `hidden_act "relu"`},
		{``, `"num_hidden_layers":0`, "vision_config.num_hidden_layers is 0"},
	} {
		js := strings.Replace(strings.Replace(base, "%s", c.text, 1), "%s", c.vision, 1)
		_, err := ParseConfigJSON([]byte(js))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", js, err, c.want)
		}
	}
	if _, err := ParseConfigJSON([]byte(`{"model_type":"clip"}`)); err == nil {
		t.Error("model_type clip accepted")
	}
	// Defaults: an empty siglip config is SigLIP base/16-224.
	c, err := ParseConfigJSON([]byte(`{"model_type":"siglip"}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.VisionConfig.ImageSize != 224 || c.TextConfig.ProjectionSize != 768 || c.TextConfig.EosTokenID != 49407 {
		t.Errorf("defaults: %+v", c)
	}
	// A patch size that does not divide the image: floor, as transformers.
	c, err = ParseConfigJSON([]byte(`{"model_type":"siglip","vision_config":{"image_size":384,"patch_size":14}}`))
	if err != nil {
		t.Fatal(err)
	}
	if g, n := c.VisionConfig.GridSize(), c.VisionConfig.NumPatches(); g != 27 || n != 729 {
		t.Errorf("384/14: grid %d, %d patches; want 27, 729", g, n)
	}
}
