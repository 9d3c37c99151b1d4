package model

import (
	"os"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// Int8 linears (weights per output row, activations per row at run time):
// the model must stay close to the fp64 golden. The bounds are loose
// because 8-bit quantization of both operands costs up to ~0.5% relative
// per product, accumulated over every layer (measured: logits 0.023,
// embeddings 0.005).
func TestTinyQ8(t *testing.T) {
	w, err := os.ReadFile(refdata.Path("tiny/model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Parse(w)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(readConfig(t, "tiny"), Quantized(FromSafetensors(f)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Vision.Layers[0].FC1.(*Q8Linear); !ok {
		t.Fatalf("Quantized source gave %T, want *Q8Linear", m.Vision.Layers[0].FC1)
	}
	g := loadGolden(t, "tiny")
	r := run(t, m, g)
	check(t, r, g, []bound{
		{"logits_per_image", func(r results) []float32 { return r.logits }, 0.05},
		{"image_embeds", func(r results) []float32 { return r.img }, 0.01},
		{"text_embeds", func(r results) []float32 { return r.txt }, 0.01},
	})
}
