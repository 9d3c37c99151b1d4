package main

import (
	"path/filepath"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

// TestPreprocessVerb writes both outputs for coco_39769 and reads them back
// with npyio (via refdata) against transformers' PIL processor arrays.
func TestPreprocessVerb(t *testing.T) {
	ref, err := refdata.LoadNPZ("images/preproc_256.npz")
	if err != nil {
		t.Fatal(err)
	}
	img := refdata.Path("images/coco_39769.png")
	dir := t.TempDir()
	for _, c := range []struct {
		flag, key string
	}{{"", "resized_raw"}, {"--pixel-values", "pixel_values"}} {
		out := filepath.Join(dir, c.key+".npy")
		args := []string{"--size", "256", "--out", out, img}
		if c.flag != "" {
			args = append([]string{c.flag}, args...)
		}
		if err := runPreprocess(args); err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(refdata.Path(""), out) // LoadNPY resolves under testdata/
		if err != nil {
			t.Fatal(err)
		}
		got, err := refdata.LoadNPY(rel)
		if err != nil {
			t.Fatal(err)
		}
		want := ref["SiglipImageProcessorPil/coco_39769/"+c.key]
		if len(got.Shape) != 3 || got.Shape[0] != 3 || got.Shape[1] != 256 || got.Shape[2] != 256 {
			t.Fatalf("%s: shape %v", c.key, got.Shape)
		}
		for i := range want.F64 {
			if float32(got.F64[i]) != float32(want.F64[i]) {
				t.Fatalf("%s[%d] = %g, want %g", c.key, i, got.F64[i], want.F64[i])
			}
		}
	}
	if err := runPreprocess([]string{"--size", "256", "--out", filepath.Join(dir, "x.npy"), refdata.Path("images/meta.json")}); err == nil {
		t.Error("a JSON file was accepted as an image")
	}
}
