package gptq

import (
	"bytes"
	"slices"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// TestCalibrateReproducible: two calibrations of the same weights on the
// same inputs give the same blocks, byte for byte (the parallel parts
// split work, never a sum).
func TestCalibrateReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("two calibrations; the native run covers it")
	}
	cfg := readRef(t, "tiny/config.json")
	st, err := safetensors.Parse(readRef(t, "tiny/model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	src := modelfile.FromSafetensors(st)
	tok := readRef(t, "tokenizer/xlnet-base-cased-spiece.model")
	var runs [2]*Result
	for i := range runs {
		if runs[i], err = CalibrateDefault(cfg, tok, src, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	for name, a := range runs[0].packed {
		b := runs[1].packed[name]
		if b == nil || !bytes.Equal(a.Data, b.Data) || !slices.Equal(a.Scales, b.Scales) {
			t.Fatalf("%s: two calibrations differ", name)
		}
	}
	if len(runs[0].packed) == 0 || len(runs[0].packed) != len(runs[1].packed) {
		t.Fatalf("calibrated %d and %d Linears", len(runs[0].packed), len(runs[1].packed))
	}
}
