package main

import (
	"math"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

func TestCleanTexts(t *testing.T) {
	got, err := cleanTexts([]string{"a cat", "bad \xff\xfe utf8"})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "a cat" || got[1] != "bad \uFFFD utf8" {
		t.Fatalf("cleanTexts = %q", got)
	}
	if _, err := cleanTexts(nil); err == nil || !strings.Contains(err.Error(), "no texts") {
		t.Fatalf("empty list: err = %v", err)
	}
	many := make([]string, 10000)
	if _, err := cleanTexts(many); err == nil || !strings.Contains(err.Error(), "batches") {
		t.Fatalf("10000 texts: err = %v", err)
	}
	if _, err := cleanTexts([]string{strings.Repeat("x", tokenizer.MaxTextBytes+1)}); err == nil {
		t.Fatal("overlong text accepted")
	}
}

func TestCheckRGBA(t *testing.T) {
	for _, c := range []struct {
		n, w, h int
		ok      bool
	}{
		{16, 2, 2, true}, {15, 2, 2, false}, {0, 0, 0, false}, {-4, -1, 1, false},
		{4 * (imageproc.MaxSide + 1), imageproc.MaxSide + 1, 1, false},
		{4 * 7000 * 7000, 7000, 7000, false}, // 49 MP: each side is fine, the area is not
		{4 * imageproc.MaxSide * 2, imageproc.MaxSide, 2, true},
	} {
		if err := checkRGBA(c.n, c.w, c.h); (err == nil) != c.ok {
			t.Errorf("checkRGBA(%d,%d,%d) = %v, want ok=%v", c.n, c.w, c.h, err, c.ok)
		}
	}
}

func TestRows(t *testing.T) {
	rows, err := splitRows([]float32{1, 2, 3, 4, 5, 6}, 3)
	if err != nil || len(rows) != 2 || rows[1][0] != 4 {
		t.Fatalf("splitRows = %v, %v", rows, err)
	}
	if _, err := splitRows([]float32{1, 2, 3}, 2); err == nil {
		t.Fatal("ragged split accepted")
	}
	flat, dim, err := joinRows(rows)
	if err != nil || dim != 3 || len(flat) != 6 || flat[5] != 6 {
		t.Fatalf("joinRows = %v %d %v", flat, dim, err)
	}
	if _, _, err := joinRows([][]float32{{1}, {1, 2}}); err == nil {
		t.Fatal("ragged join accepted")
	}
	if err := checkModelSize(10); err == nil || !strings.Contains(err.Error(), "too small") {
		t.Fatalf("checkModelSize(10) = %v", err)
	}
}

// TestLimitsAreGos: the limits JS reads (siglipGo.limits) are the Go
// packages' own constants, and they are what the guards apply.
func TestLimitsAreGos(t *testing.T) {
	l := limits()
	if l["maxImageSide"] != imageproc.MaxSide || l["maxImagePixels"] != imageproc.MaxPixels || l["maxTextBytes"] != tokenizer.MaxTextBytes {
		t.Fatalf("limits() = %v", l)
	}
	if _, err := cleanTexts([]string{strings.Repeat("x", tokenizer.MaxTextBytes)}); err != nil {
		t.Fatalf("a text of exactly MaxTextBytes: %v", err)
	}
}

func TestCheckFinite(t *testing.T) {
	if err := checkFinite("image embeddings", []float32{0, 1, -2}); err != nil {
		t.Fatal(err)
	}
	for _, x := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		err := checkFinite("text embeddings", []float32{0, x})
		if err == nil || !strings.Contains(err.Error(), "text embeddings: value 1") {
			t.Errorf("%v: error %v", x, err)
		}
	}
}
