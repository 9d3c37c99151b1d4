package tokenizer

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// SentencePiece BPE model files and sentencepiece 0.1.97's own ids for them
// (testdata/tokenizer/gen_spbpe.py).
var spBPEModels = []struct{ name, model string }{
	{"spbpe3k", "spbpe3k-bpe.model"},
	{"spbpe1k", "spbpe1k-bpe.model"},
	{"spbpe3k-edited", "spbpe3k-edited-bpe.model"},
}

type spBPEGolden struct {
	Strings  []string `json:"strings"`
	Variants struct {
		Raw       [][]int32  `json:"spm_raw"`
		RawPieces [][]string `json:"spm_raw_pieces"`
		NoPad     [][]int32  `json:"siglip2_no_padding"`
		Max64     [][]int32  `json:"siglip2_max_length_64"`
	} `json:"variants"`
	SpecialIDs struct{ Pad, EOS, BOS, Unk int32 } `json:"special_ids"`
	PieceSize  int                                `json:"spm_piece_size"`
}

func TestSentencePieceBPEGoldens(t *testing.T) {
	for _, v := range spBPEModels {
		t.Run(v.name, func(t *testing.T) {
			var g spBPEGolden
			if err := json.Unmarshal(testdata(t, "tokens_"+v.name+".json"), &g); err != nil {
				t.Fatal(err)
			}
			tok, err := Load(testdata(t, v.model))
			if err != nil {
				t.Fatal(err)
			}
			if tok.kind() != "SentencePiece BPE" || tok.VocabSize() != g.PieceSize {
				t.Fatalf("kind %s, vocab %d; want SentencePiece BPE, %d", tok.kind(), tok.VocabSize(), g.PieceSize)
			}
			if tok.EOSID() != g.SpecialIDs.EOS || tok.PadID() != g.SpecialIDs.Pad || tok.UnkID() != g.SpecialIDs.Unk || tok.BOSID() != -1 {
				t.Errorf("eos/pad/unk/bos = %d/%d/%d/%d, want %d/%d/%d/-1", tok.EOSID(), tok.PadID(), tok.UnkID(), tok.BOSID(),
					g.SpecialIDs.EOS, g.SpecialIDs.Pad, g.SpecialIDs.Unk)
			}
			batch, err := tok.EncodeBatch(g.Strings, 64)
			if err != nil {
				t.Fatal(err)
			}
			var okRaw, okPieces, okNoPad, ok64 int
			for i, s := range g.Strings {
				if got := tok.EncodeRaw(s); slices.Equal(got, g.Variants.Raw[i]) || len(got)+len(g.Variants.Raw[i]) == 0 {
					okRaw++
				} else {
					t.Errorf("spm_raw %q:\n got %v\nwant %v", s, got, g.Variants.Raw[i])
				}
				if got := tok.EncodeRawPieces(s); slices.Equal(got, g.Variants.RawPieces[i]) || len(got)+len(g.Variants.RawPieces[i]) == 0 {
					okPieces++
				} else {
					t.Errorf("spm_raw_pieces %q:\n got %q\nwant %q", s, got, g.Variants.RawPieces[i])
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
			t.Logf("spm_raw %d/%d, spm_raw_pieces %d/%d, siglip2_no_padding %d/%d, siglip2_max_length_64 %d/%d",
				okRaw, n, okPieces, n, okNoPad, n, ok64, n)
		})
	}
}

// Decode of a BPE model's ids gives the text back (byte pieces joined).
func TestSentencePieceBPEDecode(t *testing.T) {
	tok, err := Load(testdata(t, "spbpe3k-bpe.model"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"a photo of 2 cats", "日本語 🐱 naïve", "tabs\tand\n\nnewlines"} {
		got, err := tok.Decode(tok.EncodeRaw(s))
		if err != nil || got != s {
			t.Errorf("Decode(EncodeRaw(%q)) = %q, %v", s, got, err)
		}
	}
	if _, err := ConvertToTokenizerJSON(testdata(t, "spbpe3k-bpe.model")); err == nil || !strings.Contains(err.Error(), "BPE") {
		t.Errorf("ConvertToTokenizerJSON of a BPE model: %v, want an error naming BPE", err)
	}
}
