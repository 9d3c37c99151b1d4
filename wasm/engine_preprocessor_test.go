package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// TestEnginePreprocessorFromFile: the browser engine resizes and
// normalises as the model file says (modelfile.MetaPreprocessor: here
// SigLIP 2's bilinear), bit for bit what imageproc gives for that
// preprocessing, and not what SigLIP's bicubic default gives.
func TestEnginePreprocessorFromFile(t *testing.T) {
	read := func(p string) []byte {
		b, err := os.ReadFile(refdata.Path(p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	st, err := safetensors.Parse(read("tiny/model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	proc := imageproc.DefaultProcessing(256)
	proc.Resample = imageproc.Bilinear
	var b bytes.Buffer
	if err := modelfile.WriteOptions(&b, weights.Specs, read("tiny/config.json"), read("tokenizer/xlnet-base-cased-spiece.model"), "spiece.model",
		modelfile.FromSafetensors(st), "f32", modelfile.Options{Preprocessor: proc.JSON()}); err != nil {
		t.Fatal(err)
	}
	e, err := openEngine(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	plain, err := openEngine(tinyFile(t, "f32"))
	if err != nil {
		t.Fatal(err)
	}
	data := read("images/coco_39769.png")
	got, err := e.EmbedImages([]imageInput{{Encoded: data}})
	if err != nil {
		t.Fatal(err)
	}
	bicubic, err := plain.EmbedImages([]imageInput{{Encoded: data}})
	if err != nil {
		t.Fatal(err)
	}
	img, err := imageproc.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	px, err := imageproc.PreprocessWith(img, proc)
	if err != nil {
		t.Fatal(err)
	}
	se := e.(*siglipEngine)
	want, err := se.plan.Images(px, 1)
	if err != nil {
		t.Fatal(err)
	}
	same, differs := true, false
	for i := range want {
		same = same && got[i] == want[i]
		differs = differs || got[i] != bicubic[i]
	}
	if !same || !differs {
		t.Errorf("engine embedding equals the bilinear pipeline's: %v; differs from bicubic's: %v", same, differs)
	}
}
