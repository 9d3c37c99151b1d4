package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// shardSnapshot writes the demo snapshot as a sharded checkpoint: its
// tensors dealt round-robin into n shards plus model.safetensors.index.json,
// laid out as transformers' save_pretrained(max_shard_size=…) does.
func shardSnapshot(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"config.json", "spiece.model"} {
		b, _ := os.ReadFile(filepath.Join(demoDir, f))
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	b, err := os.ReadFile(filepath.Join(demoDir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := safetensors.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	shards := make([][]safetensors.Tensor, n)
	weightMap := map[string]string{}
	for i, name := range st.Names() {
		tt, _ := st.Tensor(name)
		shards[i%n] = append(shards[i%n], tt)
		weightMap[name] = fmt.Sprintf("model-%05d-of-%05d.safetensors", i%n+1, n)
	}
	for i, ts := range shards {
		var buf bytes.Buffer
		if err := safetensors.Write(&buf, ts, map[string]string{"format": "pt"}); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("model-%05d-of-%05d.safetensors", i+1, n)), buf.Bytes(), 0o644)
	}
	ix, _ := json.Marshal(map[string]any{"metadata": map[string]int{"total_size": len(st.Data())}, "weight_map": weightMap})
	os.WriteFile(filepath.Join(dir, "model.safetensors.index.json"), ix, 0o644)
	return dir
}

// TestConvertSharded: a sharded snapshot converts to exactly the bytes of
// the unsharded one, for every scheme; a shard missing a tensor its index
// names, and a pickle-only directory, are refused by name.
func TestConvertSharded(t *testing.T) {
	dir := shardSnapshot(t, 3)
	tmp := t.TempDir()
	for _, scheme := range []string{"q8", "f32"} {
		a, b := filepath.Join(tmp, scheme+"-one"), filepath.Join(tmp, scheme+"-sharded")
		if _, _, err := convertDir(demoDir, a, scheme, modelfile.Options{}, q4Options{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := convertDir(dir, b, scheme, modelfile.Options{}, q4Options{}); err != nil {
			t.Fatal(err)
		}
		ab, _ := os.ReadFile(a)
		bb, _ := os.ReadFile(b)
		if len(ab) == 0 || !bytes.Equal(ab, bb) {
			t.Fatalf("%s: sharded conversion differs (%d vs %d bytes)", scheme, len(bb), len(ab))
		}
	}
	// q4 rounded to nearest too (GPTQ is covered by the unsharded tests: it reads the same Source).
	a, b := filepath.Join(tmp, "q4-one"), filepath.Join(tmp, "q4-sharded")
	for _, p := range [][2]string{{demoDir, a}, {dir, b}} {
		if _, _, err := convertDir(p[0], p[1], "q4", modelfile.Options{}, q4Options{Method: "rtn"}); err != nil {
			t.Fatal(err)
		}
	}
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.Equal(ab, bb) {
		t.Fatal("q4: sharded conversion differs")
	}

	// The index names a tensor its shard lacks.
	ix, _ := os.ReadFile(filepath.Join(dir, "model.safetensors.index.json"))
	var m struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	json.Unmarshal(ix, &m)
	wrong := "model-00001-of-00003.safetensors"
	if m.WeightMap["logit_bias"] == wrong {
		wrong = "model-00002-of-00003.safetensors"
	}
	m.WeightMap["logit_bias"] = wrong
	ix, _ = json.Marshal(m)
	bad := shardSnapshot(t, 3)
	os.WriteFile(filepath.Join(bad, "model.safetensors.index.json"), ix, 0o644)
	_, _, err := convertDir(bad, filepath.Join(tmp, "x"), "q8", modelfile.Options{}, q4Options{})
	if err == nil || !strings.Contains(err.Error(), "logit_bias") {
		t.Errorf("tensor in the wrong shard: err = %v", err)
	}

	// Pickle weights only.
	pt := t.TempDir()
	for _, f := range []string{"config.json", "spiece.model"} {
		b, _ := os.ReadFile(filepath.Join(demoDir, f))
		os.WriteFile(filepath.Join(pt, f), b, 0o644)
	}
	os.WriteFile(filepath.Join(pt, "pytorch_model.bin"), []byte("PK"), 0o644)
	_, _, err = convertDir(pt, filepath.Join(tmp, "y"), "q8", modelfile.Options{}, q4Options{})
	if err == nil || !strings.Contains(err.Error(), "refs/pr/N") || !strings.Contains(err.Error(), "convert the pickle elsewhere") {
		t.Errorf("pickle only: err = %v", err)
	}
}

// TestConvertShardedFromHub: hf: with a sharded repository (the hub
// serves the index and shards only) converts to the unsharded bytes.
func TestConvertShardedFromHub(t *testing.T) {
	dir := shardSnapshot(t, 2)
	serveHub(t, "test/sharded", dir)
	out, ref := filepath.Join(t.TempDir(), "hub.siglip"), filepath.Join(t.TempDir(), "local.siglip")
	if err := runConvert([]string{"--in", "hf:test/sharded", "--out", out, "--quant", "q8", "--quiet"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := convertDir(demoDir, ref, "q8", modelfile.Options{}, q4Options{}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(ref)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("hf: sharded conversion (%d bytes) differs from the local unsharded one (%d)", len(a), len(b))
	}
}
