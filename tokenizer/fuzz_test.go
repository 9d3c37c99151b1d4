package tokenizer

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Fuzz targets: no input may panic or hang the loaders or the encoder.
// Run with: go test -run XXX -fuzz=^FuzzEncode$ -fuzztime=60s -fuzzminimizetime=2s ./tokenizer/
// (the default 60 s minimisation of every new input starves the run on a
// 2-core machine). 60 s runs found no crash: FuzzLoadSentencePiece 1.27M
// execs, FuzzLoadTokenizerJSON 716k, FuzzEncode 442k; the BPE targets on a
// machine shared with other builds: FuzzLoadBPE 141k, FuzzEncodeBPE 162k;
// SentencePiece BPE (load average near 30): FuzzEncodeSentencePieceBPE 121k,
// FuzzLoadSentencePiece with the 46 KB BPE seed 58k.

func FuzzLoadSentencePiece(f *testing.F) {
	spm := testdata(f, "fixture-1000-spiece.model")
	f.Add(spm)
	f.Add(spm[:200])
	f.Add([]byte{0x0a, 0x05, 0x0a, 0x01, 'a', 0x18, 0x02})
	f.Add(testdata(f, "spbpe3k-edited-bpe.model")) // BPE: ties, a character only inside pieces
	f.Fuzz(fuzzLoad(LoadSentencePiece))
}

// fuzzLoad is a loader's fuzz body: whatever load accepts encodes, raw
// encodes and decodes a few texts without panicking.
func fuzzLoad(load func([]byte) (*Tokenizer, error)) func(*testing.T, []byte) {
	return func(t *testing.T, b []byte) {
		tok, err := load(b)
		if err != nil {
			return
		}
		for _, s := range []string{"a photo of 2 cats", "ünï 🐱\xed\xa0\x80", ""} {
			ids := tok.Encode(s)
			tok.EncodeRaw(s)
			tok.Decode(ids)
		}
	}
}

// encodeChecked encodes s and fails unless the ids are in the vocabulary
// with the eos last, and the text pads to a row of 64.
func encodeChecked(t *testing.T, tok *Tokenizer, s string) []int32 {
	t.Helper()
	ids := tok.Encode(s)
	if len(ids) == 0 || ids[len(ids)-1] != tok.EOSID() {
		t.Fatalf("Encode(%q) = %v: eos (%d) not last", s, ids, tok.EOSID())
	}
	for _, id := range ids {
		if id < 0 || int(id) >= tok.VocabSize() {
			t.Fatalf("Encode(%q): id %d outside the vocabulary", s, id)
		}
	}
	row, err := tok.EncodeBatch([]string{s}, 64)
	if err != nil || len(row) != 64 {
		t.Fatalf("EncodeBatch(%q): %d ids, %v", s, len(row), err)
	}
	return ids
}

func FuzzLoadTokenizerJSON(f *testing.F) {
	// A real converted file, with its 237 KB charsmap dropped so that the
	// fuzzer's mutations stay fast; the small seeds carry a charsmap.
	doc := fixtureJSONDoc(f)
	doc["normalizer"] = map[string]any{"type": "Sequence", "normalizers": []any{
		map[string]any{"type": "Strip", "strip_left": false, "strip_right": true},
		map[string]any{"type": "Replace", "pattern": map[string]any{"Regex": " {2,}"}, "content": "▁"}}}
	js, err := json.Marshal(doc)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(js)
	f.Add([]byte(`{"model":{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0],["▁a",-1],["a",-2]]},"pre_tokenizer":{"type":"Metaspace"},"normalizer":{"type":"Precompiled","precompiled_charsmap":"AAAA"}}`))
	f.Add([]byte(`{"model":{"type":"Unigram","unk_id":0,"byte_fallback":true,"vocab":[["<unk>",0],["<0x41>",0]]},"pre_tokenizer":{"type":"Metaspace"}}`))
	f.Fuzz(fuzzLoad(LoadTokenizerJSON))
}

var fuzzTok struct {
	once sync.Once
	tok  [2]*Tokenizer
}

func FuzzEncode(f *testing.F) {
	for _, s := range []string{"a photo of 2 cats", "Hello, World!! It's   me", "ﬁ ½ ＡＢＣ", "\xed\xa0\x80", "ΟΔΟΣ.", "İstanbul", "emoji 🐱🐶", "\u200b\u00a0\x1c"} {
		f.Add(s)
	}
	fuzzTok.once.Do(func() {
		fuzzTok.tok[0] = xlnet(f)
		var err error
		if fuzzTok.tok[1], err = Load(testdata(f, "bytefallback-3k-spiece.model")); err != nil {
			f.Fatal(err)
		}
	})
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range fuzzTok.tok {
			encodeChecked(t, tok, s)
			if _, err := tok.Decode(tok.EncodeRaw(s)); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// smallBPE is a small Gemma-layout tokenizer.json (byte fallback, fused
// unk, added tokens, Lowercase + Replace, Split) for the BPE fuzz targets.
const smallBPE = `{"added_tokens":[{"id":0,"content":"<pad>","special":true,"normalized":false},{"id":1,"content":"<eos>","special":true,"normalized":false},
{"id":3,"content":"<unk>","special":true,"normalized":false},{"id":9,"content":"<mask>","special":false,"normalized":true,"rstrip":true}],
"normalizer":{"type":"Sequence","normalizers":[{"type":"Lowercase"},{"type":"Replace","pattern":{"String":" "},"content":"\u2581"}]},
"pre_tokenizer":{"type":"Split","pattern":{"String":" "},"behavior":"MergedWithPrevious","invert":false},
"post_processor":{"type":"TemplateProcessing","single":[{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"<eos>","type_id":0}}]},
"model":{"type":"BPE","unk_token":"<unk>","fuse_unk":true,"byte_fallback":true,"dropout":null,
"vocab":{"<pad>":0,"<eos>":1,"<bos>":2,"<unk>":3,"a":4,"b":5,"ab":6,"\u2581":7,"\u2581ab":8,"<mask>":9,"<0xC3>":10,"<0xA9>":11,"\u2581a":12},
"merges":[["a","b"],["\u2581","ab"],"\u2581 a"]}}`

// FuzzLoadBPE: no tokenizer.json may panic or hang the BPE loader
// (jsonscan.go's scanner, the merges, the added tokens) or its encoder.
func FuzzLoadBPE(f *testing.F) {
	f.Add([]byte(smallBPE))
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}`))
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"a\u00e9\ud83d\ude00":0,"\"":1},"merges":["a \""]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := LoadTokenizerJSON(b)
		if err != nil {
			return
		}
		for _, s := range []string{"ab ab <mask>  é", "ünï 🐱\xed\xa0\x80", "", "<eos><pad>AB"} {
			ids := tok.Encode(s)
			for _, id := range ids {
				if id < 0 || int(id) >= tok.VocabSize() {
					t.Fatalf("Encode(%q): id %d outside the vocabulary", s, id)
				}
			}
			tok.EncodeRaw(s)
			tok.Decode(ids)
			if _, err := tok.EncodeBatch([]string{s}, 8); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzEncodeBPE: any text, valid UTF-8 or not, encodes on the BPE path
// with in-range ids and the eos last.
func FuzzEncodeBPE(f *testing.F) {
	for _, s := range []string{"ab ab", "<mask> ab", "\xed\xa0\x80", "ÉAB  ", "<eos>", "é\u2581ab"} {
		f.Add(s)
	}
	tok, err := Load([]byte(smallBPE))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids := encodeChecked(t, tok, s)
		if _, err := tok.Decode(ids); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzEncodeSentencePieceBPE: any text encodes on the SentencePiece BPE path
// (spbpe3k and its edited copy, whose "v" is only inside pieces) with
// in-range ids and <eos> last; with their identity normalizer and byte
// fallback, Decode(EncodeRaw(s)) gives back any valid UTF-8 text without ▁.
func FuzzEncodeSentencePieceBPE(f *testing.F) {
	for _, s := range []string{"a photo of 2 cats", "<start_of_turn>user\n\nhi", "\xed\xa0\x80", "ΟΔΟΣ 日本 🐱", "believe vvv", "    x\t\t", "redistribution"} {
		f.Add(s)
	}
	var toks []*Tokenizer
	for _, name := range []string{"spbpe3k-bpe.model", "spbpe3k-edited-bpe.model"} {
		tok, err := Load(testdata(f, name))
		if err != nil {
			f.Fatal(err)
		}
		toks = append(toks, tok)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range toks {
			encodeChecked(t, tok, s)
			got, err := tok.Decode(tok.EncodeRaw(s))
			if err != nil {
				t.Fatal(err)
			}
			if utf8.ValidString(s) && !strings.Contains(s, spaceSymbol) && got != s {
				t.Fatalf("Decode(EncodeRaw(%q)) = %q", s, got)
			}
		}
	})
}
