package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var vocabs = []struct{ name, model string }{
	{"xlnet32k", "xlnet-base-cased-spiece.model"},
	{"albert30k", "albert-fixture-spiece.model"},
	{"fixture1k", "fixture-1000-spiece.model"},
	{"bytefb3k", "bytefallback-3k-spiece.model"},
}

type golden struct {
	Strings  []string `json:"strings"`
	Variants struct {
		Max64     [][]int32  `json:"siglip_max_length_64"`
		NoPad     [][]int32  `json:"siglip_no_padding"`
		Raw       [][]int32  `json:"spm_raw"`
		RawPieces [][]string `json:"spm_raw_pieces"`
	} `json:"variants"`
	SpecialIDs struct {
		EOS, Pad, Unk int32
	} `json:"special_ids"`
	PieceSize int `json:"spm_piece_size"`
}

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "tokenizer", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadGolden(t testing.TB, name string) *golden {
	var g golden
	if err := json.Unmarshal(testdata(t, "tokens_"+name+".json"), &g); err != nil {
		t.Fatal(err)
	}
	return &g
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
				var ok64, okNoPad, okRaw, okPieces int
				for i, s := range g.Strings {
					if got := batch[i*64 : (i+1)*64]; slices.Equal(got, g.Variants.Max64[i]) {
						ok64++
					} else {
						t.Errorf("siglip_max_length_64 %q:\n got %v\nwant %v", s, got, g.Variants.Max64[i])
					}
					if g.Variants.NoPad != nil {
						if got := tok.Encode(s); slices.Equal(got, g.Variants.NoPad[i]) {
							okNoPad++
						} else {
							t.Errorf("siglip_no_padding %q:\n got %v\nwant %v", s, got, g.Variants.NoPad[i])
						}
					}
					if got := tok.EncodeRaw(s); slices.Equal(got, g.Variants.Raw[i]) || (len(got) == 0 && len(g.Variants.Raw[i]) == 0) {
						okRaw++
					} else {
						t.Errorf("spm_raw %q:\n got %v\nwant %v", s, got, g.Variants.Raw[i])
					}
					if got := tok.EncodeRawPieces(s); slices.Equal(got, g.Variants.RawPieces[i]) || (len(got) == 0 && len(g.Variants.RawPieces[i]) == 0) {
						okPieces++
					} else {
						t.Errorf("spm_raw_pieces %q:\n got %q\nwant %q", s, got, g.Variants.RawPieces[i])
					}
				}
				n := len(g.Strings)
				t.Logf("siglip_max_length_64 %d/%d, siglip_no_padding %d/%d, spm_raw %d/%d, spm_raw_pieces %d/%d",
					ok64, n, okNoPad, len(g.Variants.NoPad), okRaw, n, okPieces, n)
			})
		}
	}
}
