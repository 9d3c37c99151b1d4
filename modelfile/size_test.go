package modelfile

import (
	"testing"
)

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(b []byte) (int, error) { c.n += int64(len(b)); return len(b), nil }

// TestFullSizes writes google/siglip-base-patch16-256's architecture
// (formula weights) under every scheme to a byte counter and checks the
// issue's size limits: q8 ≤ 215 MB, q4 ≤ 120 MB.
func TestFullSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 203M parameters four times")
	}
	cfg := readTestdata(t, "full/config.json")
	src, err := newFormulaSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok := readTestdata(t, "tokenizer/xlnet-base-cased-spiece.model")
	limits := map[string]int64{SchemeQ8: 215e6, SchemeQ4: 120e6, SchemeF16: 1 << 62, SchemeF32: 1 << 62}
	for _, scheme := range []string{SchemeQ8, SchemeQ4, SchemeF16, SchemeF32} {
		var c countingWriter
		if err := Write(&c, testSpecs, cfg, tok, TokenizerSentencePiece, src, scheme); err != nil {
			t.Fatal(err)
		}
		t.Logf("base-256 %s: %d bytes (%.1f MB)", scheme, c.n, float64(c.n)/1e6)
		if c.n > limits[scheme] {
			t.Errorf("%s: %d bytes exceeds %d", scheme, c.n, limits[scheme])
		}
	}
}
