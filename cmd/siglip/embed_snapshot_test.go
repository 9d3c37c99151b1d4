package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

// embed --model DIR reads a snapshot as convert does: unsharded or
// sharded, with the tokenizer_config.json text pipeline and the
// preprocessor_config.json it would store, so its output is byte for byte
// that of embed on the snapshot's converted f32 file. The verbs that
// record a model file's hash refuse a directory, naming `siglip convert`.
func TestEmbedSnapshotDirIsItsF32File(t *testing.T) {
	embedWith := func(model string, extra ...string) []byte {
		t.Helper()
		var buf bytes.Buffer
		embedOut = &buf
		defer func() { embedOut = os.Stdout }()
		args := append([]string{"--model", model, "--image", refdata.Path("images/coco_39769.png"),
			"--text", "A Photo of a RED Square", "--text", "a blue circle"}, extra...)
		if err := runEmbed(args); err != nil {
			t.Fatalf("embed --model %s: %v", model, err)
		}
		return buf.Bytes()
	}
	f32 := func(dir string) string {
		t.Helper()
		out := filepath.Join(t.TempDir(), "f32.siglip")
		if err := runConvert([]string{"--in", dir, "--out", out, "--quant", "f32", "--quiet"}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := embedWith(f32(demoDir))
	if got := embedWith(demoDir); !bytes.Equal(got, want) {
		t.Errorf("embed on the snapshot differs from embed on its f32 file:\n%.300s\n%.300s", got, want)
	}
	if got := embedWith(shardSnapshot(t, 3)); !bytes.Equal(got, want) {
		t.Errorf("embed on the sharded snapshot differs from embed on the f32 file:\n%.300s\n%.300s", got, want)
	}

	// A pickle-only snapshot gets the hint; classify takes no directory.
	pk := t.TempDir()
	cfg, _ := os.ReadFile(filepath.Join(demoDir, "config.json"))
	os.WriteFile(filepath.Join(pk, "config.json"), cfg, 0o644)
	os.WriteFile(filepath.Join(pk, "pytorch_model.bin"), []byte("not a pickle"), 0o644)
	if err := runEmbed([]string{"--model", pk, "--text", "a cat"}); err == nil || !strings.Contains(err.Error(), "pytorch_model.bin") {
		t.Errorf("pickle-only snapshot: err = %v", err)
	}
	err := runClassify([]string{"--model", demoDir, "--labels", "a,b", refdata.Path("images/coco_39769.png")})
	if err == nil || !strings.Contains(err.Error(), "siglip convert --in "+demoDir) {
		t.Errorf("classify --model DIR: err = %v", err)
	}

	// SigLIP 2 (last: it skips without build/node_modules' Gemma tokenizer):
	// the snapshot's tokenizer_config.json (lowercase, <pad>) and bilinear
	// preprocessor_config.json, as the converted file stores them.
	tokJSON, _, _ := gemmaGoldens(t)
	s2 := t.TempDir()
	writeSiglip2Snapshot(t, s2, tokJSON, 32, 64, 2, 262144)
	pre := `{"image_processor_type": "SiglipImageProcessor", "resample": 2, "size": {"height": 224, "width": 224}}`
	if err := os.WriteFile(filepath.Join(s2, "preprocessor_config.json"), []byte(pre), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := embedWith(s2), embedWith(f32(s2)); !bytes.Equal(got, want) {
		t.Errorf("SigLIP 2 snapshot: embed differs from embed on its f32 file:\n%.300s\n%.300s", got, want)
	}

}
