package modelfile

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// WeightBytes is exact: for the demo and tiny models under every scheme
// (and f16 q8 scales), the written file's data section is WeightBytes plus
// the config and tokenizer, to the byte.
func TestWeightBytesExact(t *testing.T) {
	tok := readTestdata(t, "tokenizer/xlnet-base-cased-spiece.model")
	for _, rel := range []string{"tiny/config.json", "demo/model/config.json"} {
		cfg := readTestdata(t, rel)
		src, err := newFormulaSource(cfg)
		if err != nil {
			t.Fatal(err)
		}
		specs, err := testSpecs(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, scheme := range []string{SchemeF32, SchemeF16, SchemeQ8, SchemeQ4} {
			opts := []Options{{}}
			if scheme == SchemeQ8 {
				opts = append(opts, Options{Q8ScaleF16: true})
			}
			for _, opt := range opts {
				var buf bytes.Buffer
				if err := WriteOptions(&buf, testSpecs, cfg, tok, TokenizerSentencePiece, src, scheme, opt); err != nil {
					t.Fatal(err)
				}
				b := buf.Bytes()
				data := int64(len(b)) - 8 - int64(binary.LittleEndian.Uint64(b))
				want := WeightBytes(specs, scheme, opt) + int64(len(cfg)+len(tok))
				if data != want {
					t.Errorf("%s %s %+v: data section %d bytes, WeightBytes+config+tokenizer %d", rel, scheme, opt, data, want)
				}
			}
		}
	}
}
