package model

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

// bigCheck runs a formula-weight reference architecture against its fp64
// golden: logits within 1e-3, embeddings with cosine ≥ 0.99999.
func bigCheck(t *testing.T, dir string) {
	start := time.Now()
	m, err := Load(readConfig(t, dir), FormulaSource{})
	if err != nil {
		t.Fatal(err)
	}
	loaded := time.Since(start)
	g := loadGolden(t, dir)
	r := run(t, m, g)
	ran := time.Since(start) - loaded
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%s: load (formula weights) %v, forward 2 images + 4 texts %v, heap in use %d MiB, sys %d MiB",
		dir, loaded.Round(time.Millisecond), ran.Round(time.Millisecond), ms.HeapInuse>>20, ms.Sys>>20)
	check(t, r, g, []bound{{"logits_per_image", func(r results) []float32 { return r.logits }, 1e-3}})
	for _, c := range []struct {
		key string
		got []float32
		n   int
	}{{"image_embeds", r.img, g.nImg}, {"text_embeds", r.txt, g.nTxt}} {
		cos := refdata.MinCosine(c.got, g.ref["fp64/"+c.key].F64, c.n)
		t.Logf("%-26s min cosine %.9f", c.key, cos)
		if cos < 0.99999 {
			t.Errorf("%s: cosine %v < 0.99999", c.key, cos)
		}
	}
	for _, key := range []string{"vision_last_hidden_state0", "text_last_hidden_state0"} {
		var got []float32
		if key[0] == 'v' {
			got = r.vis0
		} else {
			got = r.txt0
		}
		t.Logf("%-26s max abs err %.3g (not bounded; for information)", key, refdata.MaxAbsDiff(got, g.ref["fp64/"+key].F64))
	}
}

// TestFullGolden: google/siglip-base-patch16-256's architecture (203M
// formula weights generated here). Skipped with -short.
func TestFullGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("base-256 (203M parameters) skipped with -short")
	}
	bigCheck(t, "full")
}

// TestLargeGolden: siglip-large-patch16-256's architecture (652M formula
// weights, ~2.6 GB of float32). Runs only with SIGLIP_LARGE=1.
func TestLargeGolden(t *testing.T) {
	if os.Getenv("SIGLIP_LARGE") != "1" || testing.Short() {
		t.Skip("set SIGLIP_LARGE=1 to run the large (652M) check")
	}
	bigCheck(t, "large")
}
