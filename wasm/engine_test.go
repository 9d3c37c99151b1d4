package main

import (
	"bytes"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// tinyFile writes testdata/tiny as one model file (f32 or q8) with the
// XLNet vocabulary its goldens were tokenised with.
func tinyFile(t *testing.T, scheme string) []byte {
	t.Helper()
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
	var b bytes.Buffer
	if err := modelfile.Write(&b, weights.Specs, read("tiny/config.json"), read("tokenizer/xlnet-base-cased-spiece.model"), "spiece.model", modelfile.FromSafetensors(st), scheme); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestEngineTinyGoldens: the binding's engine (model file → tokenizer,
// imageproc, Plan, scores) reproduces transformers' tiny-model outputs
// from the images and texts themselves.
func TestEngineTinyGoldens(t *testing.T) {
	e, err := openEngine(tinyFile(t, "f32"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := refdata.LoadNPZ("tiny/golden.npz")
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"a photo of 2 cats", "a photo of 2 dogs", "a plane", "a remote"}
	txt, err := e.EmbedTexts(texts)
	if err != nil {
		t.Fatal(err)
	}
	if d := refdata.MaxAbsDiff(txt, g["fp64/text_embeds"].F64); d > 2e-6 {
		t.Errorf("text_embeds: max |Δ| = %.3g", d)
	}
	// The two images in one batch, then each alone: the same embeddings.
	var inputs []imageInput
	for _, name := range []string{"coco_39769.png", "synthetic_wide_gradient.png"} {
		data, err := os.ReadFile(refdata.Path("images/" + name))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, imageInput{Encoded: data})
	}
	imgs, err := e.EmbedImages(inputs)
	if err != nil {
		t.Fatal(err)
	}
	if d := refdata.MaxAbsDiff(imgs, g["fp64/image_embeds"].F64); d > 2e-6 {
		t.Errorf("image_embeds: max |Δ| = %.3g", d)
	}
	d := e.Info().EmbedDim
	for i, in := range inputs {
		one, err := e.EmbedImages([]imageInput{in})
		if err != nil {
			t.Fatal(err)
		}
		if dd := refdata.MaxAbsDiff(one, g["fp64/image_embeds"].F64[i*d:(i+1)*d]); dd > 2e-6 {
			t.Errorf("image %d alone: max |Δ| = %.3g", i, dd)
		}
	}
	want := g["fp64/logits_per_image"].F64
	logits, probs, err := e.Scores(imgs, txt)
	if err != nil {
		t.Fatal(err)
	}
	if d := refdata.MaxAbsDiff(logits, want); d > 2e-5 {
		t.Errorf("logits: max |Δ| = %.3g", d)
	}
	for k, p := range probs {
		if s := 1 / (1 + math.Exp(-want[k])); math.Abs(float64(p)-s) > 1e-6 {
			t.Errorf("logit %d: prob %v, want %v", k, p, s)
		}
	}
	// classify: two cached text embeddings, two embedded in the same call,
	// scored against the first image, as Scores gives them.
	emb, cl, cp, err := classify(e, inputs[0], txt[:2*d], texts[2:])
	if err != nil {
		t.Fatal(err)
	}
	if dd := refdata.MaxAbsDiff(emb, g["fp64/text_embeds"].F64[2*d:]); dd > 2e-6 {
		t.Errorf("classify's new text embeddings: max |Δ| = %.3g", dd)
	}
	if dd := refdata.MaxAbsDiff(cl, want[:4]); dd > 2e-5 || len(cp) != 4 {
		t.Errorf("classify logits: max |Δ| = %.3g (%d probs)", dd, len(cp))
	}
	// More texts than one Plan chunk, in one call.
	many := make([]string, 2*textChunk+3)
	for i := range many {
		many[i] = strings.Repeat("x", i+1)
	}
	if flat, err := e.EmbedTexts(many); err != nil || len(flat) != len(many)*d {
		t.Fatalf("EmbedTexts(%d texts) = %d values, %v", len(many), len(flat), err)
	}
	// More images than one Plan batch, in one call.
	five := []imageInput{inputs[0], inputs[1], inputs[0], inputs[1], inputs[0]}
	if flat, err := e.EmbedImages(five); err != nil || len(flat) != 5*d || refdata.MaxAbsDiff(flat[4*d:], g["fp64/image_embeds"].F64[:d]) > 2e-6 {
		t.Fatalf("EmbedImages(5 images) = %d values, %v", len(flat), err)
	}
}

// TestEngineRGBA: raw RGBA pixels (a canvas's ImageData) give the same
// embedding as the PNG they were decoded from.
func TestEngineRGBA(t *testing.T) {
	e, err := openEngine(tinyFile(t, "q8"))
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Info(); got.Quantization != "q8" || got.EmbedDim != 64 || got.ImageSize != 256 || len(got.SHA256) != 64 {
		t.Fatalf("Info = %+v", got)
	}
	w, h := 17, 9
	rgba := make([]byte, w*h*4)
	for i := range rgba {
		rgba[i] = byte(i * 7)
	}
	a, err := e.EmbedImages([]imageInput{{RGBA: rgba, Width: w, Height: h}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 3; i < len(rgba); i += 4 {
		rgba[i] = 0 // alpha is dropped, not composited (PIL convert("RGB"))
	}
	b, err := e.EmbedImages([]imageInput{{RGBA: rgba, Width: w, Height: h}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("alpha changed the embedding at %d: %v vs %v", i, a[i], b[i])
		}
	}
}

func TestEngineBadInput(t *testing.T) {
	file := tinyFile(t, "q8")
	for name, data := range map[string][]byte{
		"truncated": file[:len(file)/2],
		"garbage":   bytes.Repeat([]byte{7}, 4096),
	} {
		if _, err := openEngine(data); err == nil {
			t.Errorf("%s model file: no error", name)
		}
	}
	flipped := bytes.Clone(file)
	flipped[len(flipped)-100] ^= 1
	if _, err := openEngine(flipped); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("flipped byte: err = %v", err)
	}
	e, err := openEngine(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.EmbedImages([]imageInput{{Encoded: []byte("this is not an image")}}); err == nil {
		t.Error("text as an image: no error")
	}
	if _, err := e.EmbedImages([]imageInput{{RGBA: make([]byte, 10), Width: 2, Height: 2}}); err == nil {
		t.Error("short RGBA: no error")
	}
	if _, _, err := e.Scores(make([]float32, 3), make([]float32, 64)); err == nil {
		t.Error("wrong embedding size: no error")
	}
}
