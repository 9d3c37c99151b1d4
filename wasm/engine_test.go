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
	rows, err := e.EmbedTexts(texts)
	if err != nil {
		t.Fatal(err)
	}
	flat, _, _ := joinRows(rows)
	if d := refdata.MaxAbsDiff(flat, g["fp64/text_embeds"].F64); d > 2e-6 {
		t.Errorf("text_embeds: max |Δ| = %.3g", d)
	}
	var imgs [][]float32
	for _, name := range []string{"coco_39769.png", "synthetic_wide_gradient.png"} {
		data, err := os.ReadFile(refdata.Path("images/" + name))
		if err != nil {
			t.Fatal(err)
		}
		emb, err := e.EmbedImageEncoded(data)
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, emb)
	}
	flat, _, _ = joinRows(imgs)
	if d := refdata.MaxAbsDiff(flat, g["fp64/image_embeds"].F64); d > 2e-6 {
		t.Errorf("image_embeds: max |Δ| = %.3g", d)
	}
	want := g["fp64/logits_per_image"].F64
	for i, im := range imgs {
		logits, probs, err := e.Scores(im, rows)
		if err != nil {
			t.Fatal(err)
		}
		if d := refdata.MaxAbsDiff(logits, want[i*4:(i+1)*4]); d > 2e-5 {
			t.Errorf("image %d logits: max |Δ| = %.3g", i, d)
		}
		for j, p := range probs {
			if s := 1 / (1 + math.Exp(-want[i*4+j])); math.Abs(float64(p)-s) > 1e-6 {
				t.Errorf("image %d text %d: prob %v, want %v", i, j, p, s)
			}
		}
	}
	// More texts than one Plan chunk, in one call.
	many := make([]string, 2*textChunk+3)
	for i := range many {
		many[i] = strings.Repeat("x", i+1)
	}
	if rows, err := e.EmbedTexts(many); err != nil || len(rows) != len(many) {
		t.Fatalf("EmbedTexts(%d texts) = %d rows, %v", len(many), len(rows), err)
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
	a, err := e.EmbedImageRGBA(rgba, w, h)
	if err != nil {
		t.Fatal(err)
	}
	for i := 3; i < len(rgba); i += 4 {
		rgba[i] = 0 // alpha is dropped, not composited (PIL convert("RGB"))
	}
	b, err := e.EmbedImageRGBA(rgba, w, h)
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
	if _, err := e.EmbedImageEncoded([]byte("this is not an image")); err == nil {
		t.Error("text as an image: no error")
	}
	if _, err := e.EmbedImageRGBA(make([]byte, 10), 2, 2); err == nil {
		t.Error("short RGBA: no error")
	}
	if _, _, err := e.Scores(make([]float32, 3), [][]float32{make([]float32, 64)}); err == nil {
		t.Error("wrong embedding size: no error")
	}
}
