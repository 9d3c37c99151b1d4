package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// formulaSnapshot writes a snapshot for cfg (formula weights, F32) with the
// given tokenizer bytes as spiece.model.
func formulaSnapshot(t *testing.T, cfg []byte, spiece []byte) string {
	t.Helper()
	dir := t.TempDir()
	specs, err := weights.Specs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ts []safetensors.Tensor
	for _, s := range specs {
		ts = append(ts, safetensors.Tensor{Name: s.Name, DType: safetensors.F32, Shape: s.HFShape, Data: safetensors.F32Bytes(model.FormulaTensor(s.Name, s.HFShape...))})
	}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, ts, nil); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"config.json": cfg, "model.safetensors": buf.Bytes(), "spiece.model": spiece} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestConvertValidatesBeforeKeeping: a conversion whose file would load
// but not work — the tokenizer gives ids beyond the model's vocabulary —
// fails naming the cause, and leaves no output file; a good one passes the
// same checks (every other convert test).
func TestConvertValidatesBeforeKeeping(t *testing.T) {
	cfg, err := os.ReadFile(refdata.Path("tiny/config.json"))
	if err != nil {
		t.Fatal(err)
	}
	small := bytes.Replace(cfg, []byte(`"vocab_size": 32000`), []byte(`"vocab_size": 1000`), 1)
	if bytes.Equal(small, cfg) {
		t.Fatal("tiny config has no vocab_size 32000 to shrink")
	}
	xlnet, err := os.ReadFile(refdata.Path("tokenizer/xlnet-base-cased-spiece.model"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "m.siglip")
	_, _, err = convertDir(formulaSnapshot(t, small, xlnet), out, "q8", modelfile.Options{}, q4Options{})
	if err == nil || !strings.Contains(err.Error(), "outside the model's vocabulary of 1000") || !strings.Contains(err.Error(), "no file was written") {
		t.Errorf("vocabulary mismatch: err = %v", err)
	}
	for _, p := range []string{out, out + ".tmp"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s exists after a refused conversion", p)
		}
	}
	// The same snapshot with the full vocabulary converts and validates.
	if _, _, err := convertDir(formulaSnapshot(t, cfg, xlnet), out, "q8", modelfile.Options{}, q4Options{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if _, err := validateModelFile(b); err != nil {
		t.Fatal(err)
	}
}
