package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
)

// snapshotWith copies the demo snapshot into a temporary directory and
// adds a preprocessor_config.json.
func snapshotWith(t *testing.T, preprocessor string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"config.json", "model.safetensors", "spiece.model"} {
		b, err := os.ReadFile(filepath.Join(demoDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "preprocessor_config.json"), []byte(preprocessor), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestConvertStoresPreprocessor: a snapshot's preprocessor_config.json
// (SigLIP 2's bilinear resize, other mean/std) goes into the model file,
// and `embed --image` on that file uses it: the embedding equals the
// model's on imageproc's bilinear pixels and differs from the bicubic one.
// Values the engine cannot reproduce are refused at convert time.
func TestConvertStoresPreprocessor(t *testing.T) {
	dir := snapshotWith(t, `{"image_processor_type":"SiglipImageProcessor","resample":2,"do_rescale":true,
	 "rescale_factor":0.00392156862745098,"do_normalize":true,"image_mean":[0.485,0.456,0.406],"image_std":[0.229,0.224,0.225],
	 "size":{"height":128,"width":128},"processor_class":"SiglipProcessor"}`)
	out := filepath.Join(t.TempDir(), "m.siglip")
	if _, _, err := convertDir(dir, out, "q8", modelfile.Options{}, q4Options{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	m, f, err := weights.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	proc, err := imageproc.ParsePreprocessorConfig(f.Preprocessor(), 128)
	if err != nil {
		t.Fatal(err)
	}
	if proc.Resample != imageproc.Bilinear || proc.Mean[0] != 0.485 || proc.Std[2] != 0.225 {
		t.Fatalf("stored preprocessing %s", f.Preprocessor())
	}
	img := refdata.Path("demo/samples/sample_05_large_red_square_on_gray.png")
	var buf bytes.Buffer
	embedOut = &buf
	defer func() { embedOut = os.Stdout }()
	if err := runEmbed([]string{"--model", out, "--image", img}); err != nil {
		t.Fatal(err)
	}
	var res map[string][][]float32
	if err := json.Unmarshal(buf.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(img)
	dec, err := imageproc.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.NewPlan(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	embed := func(proc imageproc.Processing) []float32 {
		px, err := imageproc.PreprocessWith(dec, proc)
		if err != nil {
			t.Fatal(err)
		}
		e, err := p.Images(px, 1)
		if err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), e...)
	}
	want, bicubic := embed(proc), embed(imageproc.DefaultProcessing(128))
	got := res["image_embeds"][0]
	same, differs := true, false
	for i := range want {
		same = same && got[i] == want[i]
		differs = differs || want[i] != bicubic[i]
	}
	if !same || !differs {
		t.Errorf("embed --image: equals the stored preprocessing's embedding %v, differs from bicubic's %v", same, differs)
	}
	for _, c := range []struct{ cfg, want string }{
		{`{"resample":0}`, "resample 0 is not supported"},
		{`{"size":{"height":224,"width":224}}`, "size 224 does not match the model's vision image_size 128"},
		{`{"image_std":[1,1]}`, "image_std"},
	} {
		dir := snapshotWith(t, c.cfg)
		out := filepath.Join(t.TempDir(), "bad.siglip")
		_, _, err := convertDir(dir, out, "q8", modelfile.Options{}, q4Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "preprocessor_config.json") {
			t.Errorf("%s: error %v, want %q", c.cfg, err, c.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: a refused conversion left a file", c.cfg)
		}
	}
}
