package tokenizer

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

var vocabs = []struct{ name, model string }{
	{"xlnet32k", "xlnet-base-cased-spiece.model"},
	{"albert30k", "albert-fixture-spiece.model"},
	{"fixture1k", "fixture-1000-spiece.model"},
	{"bytefb3k", "bytefallback-3k-spiece.model"},
}

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "tokenizer", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadGolden(t testing.TB, name string) *refdata.Tokens {
	t.Helper()
	g, err := refdata.LoadTokens(name)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// matches counts the golden strings whose ids (or pieces) got computes
// equal want's, and reports each that differs under the variant's name.
func matches[T comparable](t *testing.T, variant string, strs []string, want [][]T, got func(i int, s string) []T) int {
	t.Helper()
	verb := "%v"
	if _, pieces := any(want).([][]string); pieces {
		verb = "%q"
	}
	ok := 0
	for i, s := range strs {
		if g := got(i, s); slices.Equal(g, want[i]) {
			ok++
		} else {
			t.Errorf("%s %q:\n got "+verb+"\nwant "+verb, variant, s, g, want[i])
		}
	}
	return ok
}

// checkSpecialIDs compares the pad, eos and unk ids with the golden's,
// and wants no bos (SigLIP 2's pipeline adds none).
func checkSpecialIDs(t *testing.T, tok *Tokenizer, g *refdata.Tokens) {
	t.Helper()
	w := g.SpecialIDs
	if tok.PadID() != w.Pad || tok.EOSID() != w.EOS || tok.UnkID() != w.Unk || tok.BOSID() != -1 {
		t.Errorf("pad/eos/unk/bos = %d/%d/%d/%d, want %d/%d/%d/-1", tok.PadID(), tok.EOSID(), tok.UnkID(), tok.BOSID(), w.Pad, w.EOS, w.Unk)
	}
}

// row is string i's ids in a batch padded to 64.
func row(batch []int32) func(i int, _ string) []int32 {
	return func(i int, _ string) []int32 { return batch[i*64 : (i+1)*64] }
}

// loaders returns the tokenizer loaded from spiece.model and from the
// tokenizer.json our converter writes for it.
func loaders(t testing.TB, model string) map[string]*Tokenizer {
	spm := testdata(t, model)
	a, err := Load(spm)
	if err != nil {
		t.Fatal(err)
	}
	js, err := ConvertToTokenizerJSON(spm)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(js)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*Tokenizer{"spiece.model": a, "tokenizer.json": b}
}

func TestGoldens(t *testing.T) {
	for _, v := range vocabs {
		g := loadGolden(t, v.name)
		for kind, tok := range loaders(t, v.model) {
			t.Run(v.name+"/"+kind, func(t *testing.T) {
				if g.SpecialIDs.EOS != 0 || g.SpecialIDs.Unk != 0 || g.SpecialIDs.Pad != 0 {
					if tok.EOSID() != g.SpecialIDs.EOS || tok.PadID() != g.SpecialIDs.Pad || tok.UnkID() != g.SpecialIDs.Unk {
						t.Errorf("special ids eos/pad/unk = %d/%d/%d, want %d/%d/%d", tok.EOSID(), tok.PadID(), tok.UnkID(),
							g.SpecialIDs.EOS, g.SpecialIDs.Pad, g.SpecialIDs.Unk)
					}
				}
				batch, err := tok.EncodeBatch(g.Strings, 64)
				if err != nil {
					t.Fatal(err)
				}
				v := g.Variants
				ok64 := matches(t, "siglip_max_length_64", g.Strings, v.SiglipMax64, row(batch))
				okNoPad := 0
				if v.SiglipNoPad != nil {
					okNoPad = matches(t, "siglip_no_padding", g.Strings, v.SiglipNoPad, func(_ int, s string) []int32 { return tok.Encode(s) })
				}
				okRaw := matches(t, "spm_raw", g.Strings, v.SPMRaw, func(_ int, s string) []int32 { return tok.EncodeRaw(s) })
				okPieces := matches(t, "spm_raw_pieces", g.Strings, v.SPMRawPieces, func(_ int, s string) []string { return tok.EncodeRawPieces(s) })
				n := len(g.Strings)
				t.Logf("siglip_max_length_64 %d/%d, siglip_no_padding %d/%d, spm_raw %d/%d, spm_raw_pieces %d/%d",
					ok64, n, okNoPad, len(v.SiglipNoPad), okRaw, n, okPieces, n)
			})
		}
	}
}
