package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

// TestConvertSentencePieceBPE converts a SigLIP 2-style snapshot whose only
// tokenizer is a SentencePiece BPE tokenizer.model (testdata's spbpe3k,
// trained by gen_spbpe.py) and checks the stored pipeline against
// sentencepiece's own ids, and embed --text against embed --input-ids.
func TestConvertSentencePieceBPE(t *testing.T) {
	model, err := os.ReadFile("../../testdata/tokenizer/spbpe3k-bpe.model")
	if err != nil {
		t.Fatal(err)
	}
	g, err := refdata.LoadTokens("spbpe3k")
	if err != nil {
		t.Fatal(err)
	}
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "spbpe.siglip")
	writeSiglip2Snapshot(t, dir, nil, 32, 64, 2, 3000)
	if err := os.Remove(filepath.Join(dir, "tokenizer.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.model"), model, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runConvert([]string{"--in", dir, "--out", out, "--quant", "q8", "--quiet"}); err != nil {
		t.Fatal(err)
	}
	tok, seq, err := modelTokenizer(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Text(); !got.Lowercase || got.Pad != "<pad>" || got.EOS != "<eos>" || got.BOS != "" || seq != 64 {
		t.Fatalf("stored text pipeline %+v, row length %d", got, seq)
	}
	flat, err := tok.EncodeBatch(g.Strings, seq)
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for i, s := range g.Strings {
		if slices.Equal(flat[i*64:(i+1)*64], g.Variants.Siglip2Max64[i]) {
			ok++
		} else {
			t.Errorf("%q:\n got %v\nwant %v", s, flat[i*64:(i+1)*64], g.Variants.Siglip2Max64[i])
		}
	}
	t.Logf("tokenizer.model snapshot: %d/%d golden strings give sentencepiece's ids", ok, len(g.Strings))

	idsPath := filepath.Join(t.TempDir(), "ids.npy")
	writeNPYI64(t, idsPath, []int{len(g.Variants.Siglip2Max64), 64}, g.Variants.Siglip2Max64)
	embedWith := func(args ...string) []byte {
		var buf bytes.Buffer
		embedOut = &buf
		defer func() { embedOut = os.Stdout }()
		if err := runEmbed(append([]string{"--model", out}, args...)); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	var textArgs []string
	for _, s := range g.Strings {
		textArgs = append(textArgs, "--text", s)
	}
	a, c := embedWith(textArgs...), embedWith("--input-ids", idsPath)
	if !bytes.Equal(a, c) || len(a) < 100 {
		t.Fatalf("embed --text differs from embed --input-ids with sentencepiece's ids (%d vs %d bytes)", len(a), len(c))
	}
}
