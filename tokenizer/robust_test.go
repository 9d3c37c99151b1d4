package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

func xlnet(t testing.TB) *Tokenizer {
	tok, err := Load(testdata(t, "xlnet-base-cased-spiece.model"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The tiny model's and the demo's input_ids were made by transformers with
// the XLNet vocabulary: they must come out of EncodeBatch unchanged.
func TestModelGoldenInputIDs(t *testing.T) {
	tok := xlnet(t)
	check := func(name string, texts []string, want []int) {
		got, err := tok.EncodeBatch(texts, 64)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d ids, want %d", name, len(got), len(want))
		}
		bad := 0
		for i := range got {
			if int(got[i]) != want[i] {
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d ids differ", name, bad, len(want))
		}
	}
	g, err := refdata.LoadNPZ("tiny/golden.npz")
	if err != nil {
		t.Fatal(err)
	}
	check("tiny/golden.npz input_ids", []string{"a photo of 2 cats", "a photo of 2 dogs", "a plane", "a remote"}, g["input_ids"].Ints())

	var meta struct {
		Prompts []string `json:"prompts"`
	}
	b, err := os.ReadFile(filepath.Join("..", "testdata", "demo", "demo_meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	d, err := refdata.LoadNPZ("demo/golden_demo.npz")
	if err != nil {
		t.Fatal(err)
	}
	check("demo prompt_ids", meta.Prompts, d["prompt_ids"].Ints())
}

func TestInvalidUTF8(t *testing.T) {
	tok := xlnet(t)
	// A lone surrogate as JS strings carry it (WTF-8), a stray continuation
	// byte, a truncated sequence: each bad byte reads as U+FFFD.
	for _, s := range []string{"a \xed\xa0\x80 cat", "\x80", "cat\xe2\x82", "\xff\xfe", "\xed\xbf\xbf\xed\xa0\x80"} {
		got := tok.Encode(s)
		var b strings.Builder // one U+FFFD per bad byte
		for _, r := range s {
			b.WriteRune(r)
		}
		clean := b.String()
		if want := tok.Encode(clean); !slices.Equal(got, want) {
			t.Errorf("Encode(%q) = %v, want %v (as %q)", s, got, want, clean)
		}
		if got[len(got)-1] != tok.EOSID() {
			t.Errorf("Encode(%q) does not end in </s>", s)
		}
		_ = tok.EncodeRaw(s)
		if _, err := tok.Decode(got); err != nil {
			t.Error(err)
		}
	}
}

func TestLongInputBoundedTime(t *testing.T) {
	tok := xlnet(t)
	var b strings.Builder
	parts := []string{"a photo of ", "ünïcödé ", "🐱", "xxxxxxxx", "日本語のテキスト ", "  ", "\xed\xa0\x80", "Hello, World!! "}
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString(parts[i%len(parts)])
	}
	s := b.String()
	start := time.Now()
	ids := tok.Encode(s)
	raw := tok.EncodeRaw(s)
	el := time.Since(start)
	t.Logf("1 MiB: %d SigLIP ids, %d raw ids, %v", len(ids), len(raw), el)
	if el > 10*time.Second {
		t.Errorf("1 MiB took %v", el)
	}
	row, err := tok.EncodeBatch([]string{s}, 64)
	if err != nil || len(row) != 64 || !slices.Equal(row[:63], ids[:63]) || row[63] != tok.EOSID() {
		t.Errorf("EncodeBatch of a long text: %v %v", row, err)
	}
}

func TestDecode(t *testing.T) {
	tok := xlnet(t)
	ids, _ := tok.EncodeBatch([]string{"A photo of 2 CATS."}, 64)
	got, err := tok.Decode(ids)
	if err != nil || got != "a photo of 2 cats" {
		t.Errorf("Decode = %q, %v", got, err)
	}
	if _, err := tok.Decode([]int32{32000}); err == nil {
		t.Error("Decode of an id outside the vocabulary did not fail")
	}
	bf, err := Load(testdata(t, "bytefallback-3k-spiece.model"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := bf.Decode(bf.EncodeRaw("emoji 🐱🐶 日本")); got != "emoji 🐱🐶 日本" {
		t.Errorf("byte-fallback round trip = %q", got)
	}
}

func TestEncodeBatchArgs(t *testing.T) {
	tok := xlnet(t)
	for _, n := range []int{0, -1, 1 << 40} {
		if _, err := tok.EncodeBatch([]string{"a"}, n); err == nil {
			t.Errorf("max length %d accepted", n)
		}
	}
	got, err := tok.EncodeBatch([]string{"a photo"}, 1)
	if err != nil || !slices.Equal(got, []int32{tok.EOSID()}) {
		t.Errorf("max length 1: %v %v", got, err)
	}
}

func TestLoadErrors(t *testing.T) {
	spm := testdata(t, "fixture-1000-spiece.model")
	for name, b := range map[string][]byte{
		"empty":        nil,
		"truncated":    spm[:len(spm)/2],
		"garbage":      []byte("\x0a\xff\xff\xff\xff\x0f"),
		"json garbage": []byte(`{"model": {"type": "BPE"}}`),
		"json no unk":  []byte(`{"model": {"type": "Unigram", "vocab": [["a", 0]]}, "pre_tokenizer": {"type": "Metaspace"}}`),
	} {
		if _, err := Load(b); err == nil {
			t.Errorf("%s: loaded without error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

// Expected values are CPython's: re.sub(r"\s+", " ", s.lower().translate(
// str.maketrans("", "", string.punctuation))).strip().
func TestCanonicalize(t *testing.T) {
	for in, want := range map[string]string{
		"Hello, World!! It's   me":    "hello world its me",
		"  leading and trailing  ":    "leading and trailing",
		"tabs\tand\nnewlines":         "tabs and newlines",
		"ΟΔΟΣ.":                       "οδος",
		"ΣΑΣ ΣΑ":                      "σας σα",
		"Σ":                           "σ",
		"İstanbul":                    "i\u0307stanbul",
		"a\x1cb\u3000c\u200bd\u00a0e": "a b c\u200bd e",
		"a ▁ b▁":                      "a b",
		"C++ & C# (languages)":        "c c languages",
		"!!!":                         "",
		"\xed\xa0\x80":                "\uFFFD\uFFFD\uFFFD",
	} {
		if got := string(canonicalize(nil, in)); got != want {
			t.Errorf("canonicalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// A corrupt charsmap (bad offsets, labels, values) must end lookups, not
// panic: flip random trie units and normalize text through it.
func TestCorruptCharsmap(t *testing.T) {
	s, err := parseModelProto(testdata(t, "fixture-1000-spiece.model"))
	if err != nil {
		t.Fatal(err)
	}
	cm, err := parseCharsmap(s.charsmap)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"ﬁ ligature ½ ＡＢＣ １２３ naïve", "zero\u200bwidth\u00a0日本語 🐱", "\xed\xa0\x80\xff"}
	seed := uint32(1)
	for round := 0; round < 200; round++ {
		c := &charsmap{units: slices.Clone(cm.units), normalized: cm.normalized[:len(cm.normalized)*round/200]}
		for k := 0; k < 64; k++ {
			seed = seed*1664525 + 1013904223
			c.units[int(seed>>8)%len(c.units)] ^= seed
		}
		for _, text := range texts {
			for i := 0; i < len(text); i++ {
				c.longestPrefix(text[i:])
			}
		}
	}
}

// fixtureJSONDoc is fixture1k's spiece.model converted to tokenizer.json,
// decoded for a test to edit.
func fixtureJSONDoc(t testing.TB) map[string]any {
	t.Helper()
	js, err := ConvertToTokenizerJSON(testdata(t, "fixture-1000-spiece.model"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// Older T5 tokenizer.json files put WhitespaceSplit before Metaspace and
// have no Strip/Replace normalizers: same ids.
func TestTokenizerJSONOlderLayout(t *testing.T) {
	doc := fixtureJSONDoc(t)
	norm := doc["normalizer"].(map[string]any)
	norm["normalizers"] = norm["normalizers"].([]any)[:1] // Precompiled only
	doc["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{
		map[string]any{"type": "WhitespaceSplit"},
		map[string]any{"type": "Metaspace", "replacement": "▁", "add_prefix_space": true}}}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	old, err := Load(js)
	if err != nil {
		t.Fatal(err)
	}
	g := loadGolden(t, "fixture1k")
	got, _ := old.EncodeBatch(g.Strings, 64)
	for i := range g.Strings {
		if !slices.Equal(got[i*64:(i+1)*64], g.Variants.SiglipMax64[i]) {
			t.Errorf("%q: got %v", g.Strings[i], got[i*64:(i+1)*64])
		}
	}
}

// One Tokenizer serves concurrent callers (its scratch buffers are pooled).
func TestConcurrentEncode(t *testing.T) {
	tok := xlnet(t)
	g := loadGolden(t, "xlnet32k")
	done := make(chan error)
	for w := 0; w < 4; w++ {
		go func() {
			var err error
			for rep := 0; rep < 20 && err == nil; rep++ {
				for i, s := range g.Strings {
					row, _ := tok.EncodeBatch([]string{s}, 64)
					if !slices.Equal(row, g.Variants.SiglipMax64[i]) {
						err = fmt.Errorf("%q: got %v", s, row)
						break
					}
				}
			}
			done <- err
		}()
	}
	for w := 0; w < 4; w++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
