package tokenizer

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// SentencePiece BPE model files and sentencepiece 0.1.97's own ids for them
// (testdata/tokenizer/gen_spbpe.py).
var spBPEModels = []struct{ name, model string }{
	{"spbpe3k", "spbpe3k-bpe.model"},
	{"spbpe1k", "spbpe1k-bpe.model"},
	{"spbpe3k-edited", "spbpe3k-edited-bpe.model"},
}

func TestSentencePieceBPEGoldens(t *testing.T) {
	for _, v := range spBPEModels {
		t.Run(v.name, func(t *testing.T) {
			g := loadGolden(t, v.name)
			tok, err := Load(testdata(t, v.model))
			if err != nil {
				t.Fatal(err)
			}
			if tok.kind() != "SentencePiece BPE" || tok.VocabSize() != g.PieceSize {
				t.Fatalf("kind %s, vocab %d; want SentencePiece BPE, %d", tok.kind(), tok.VocabSize(), g.PieceSize)
			}
			checkSpecialIDs(t, tok, g)
			batch, err := tok.EncodeBatch(g.Strings, 64)
			if err != nil {
				t.Fatal(err)
			}
			w := g.Variants
			okRaw := matches(t, "spm_raw", g.Strings, w.SPMRaw, func(_ int, s string) []int32 { return tok.EncodeRaw(s) })
			okPieces := matches(t, "spm_raw_pieces", g.Strings, w.SPMRawPieces, func(_ int, s string) []string { return tok.EncodeRawPieces(s) })
			okNoPad := matches(t, "siglip2_no_padding", g.Strings, w.Siglip2NoPad, func(_ int, s string) []int32 { return tok.Encode(s) })
			ok64 := matches(t, "siglip2_max_length_64", g.Strings, w.Siglip2Max64, row(batch))
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

// spModel serializes a small BPE ModelProto: pieces (text, score, type),
// model_type BPE, identity normalizer without dummy prefix.
func spModel(pieces []rawPiece) []byte {
	varint := func(b []byte, v uint64) []byte {
		for v >= 0x80 {
			b = append(b, byte(v)|0x80)
			v >>= 7
		}
		return append(b, byte(v))
	}
	field := func(b []byte, num int, data []byte) []byte {
		b = varint(b, uint64(num)<<3|2)
		b = varint(b, uint64(len(data)))
		return append(b, data...)
	}
	var out []byte
	for _, p := range pieces {
		piece := field(nil, 1, []byte(p.text))
		bits := math.Float32bits(p.score)
		piece = append(varint(piece, 2<<3|5), byte(bits), byte(bits>>8), byte(bits>>16), byte(bits>>24))
		piece = varint(varint(piece, 3<<3), uint64(p.typ))
		out = field(out, 1, piece)
	}
	out = field(out, 2, []byte{3 << 3, 2})            // trainer_spec.model_type = BPE
	out = field(out, 3, []byte{3 << 3, 0, 4 << 3, 0}) // normalizer_spec: no dummy prefix, keep spaces
	return out
}

// Bad or hostile BPE model files: clear errors, and no quadratic load.
func TestSentencePieceBPEHostile(t *testing.T) {
	base := []rawPiece{{"<unk>", 0, TypeUnknown}, {"a", -1, TypeNormal}, {"b", -2, TypeNormal}, {"ab", -3, TypeNormal}}
	tok, err := Load(spModel(base))
	if err != nil {
		t.Fatal(err)
	}
	// Expected ids here are sentencepiece 0.1.97's on the same ModelProto
	// (built with python3-protobuf): without byte fallback a run of unknown
	// characters (▁c) is one <unk>.
	if got := tok.EncodeRaw("abab c"); !slices.Equal(got, []int32{3, 3, 0}) {
		t.Errorf("EncodeRaw(abab c) = %v, want [3 3 0]", got)
	}
	for _, c := range []struct {
		p    rawPiece
		want string
	}{
		{rawPiece{"zz", 0, TypeUnused}, "UNUSED"},
		{rawPiece{"zz", float32(math.NaN()), TypeNormal}, "NaN"},
	} {
		_, err := Load(spModel(append(slices.Clone(base), c.p)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("piece %+v: error %v, want one naming %s", c.p, err, c.want)
		}
	}
	// A 128 KiB piece among 200 of its prefixes: hashing both halves at
	// every split would be ~10^10 byte operations.
	long := slices.Clone(base)
	for i := 2; i <= 200; i++ {
		long = append(long, rawPiece{strings.Repeat("a", i), float32(-3 - i), TypeNormal})
	}
	long = append(long, rawPiece{strings.Repeat("a", 1<<17), -5000, TypeNormal})
	start := time.Now()
	tok, err = Load(spModel(long))
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.EncodeRaw(strings.Repeat("a", 1000)); !slices.Equal(got, []int32{130, 130, 130, 130, 130, 130, 130, 106}) {
		t.Errorf("EncodeRaw(a×1000) = %v, want sentencepiece's [130×7 106]", got)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("loading and encoding took %v", d)
	}
}
