package model

import (
	"os"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

// golden holds one reference set (inputs and fp64 outputs).
type golden struct {
	pixels []float32
	nImg   int
	ids    []int32
	nTxt   int
	ref    map[string]refdata.Array
}

func loadGolden(t testing.TB, dir string) golden {
	t.Helper()
	g, err := refdata.LoadNPZ(dir + "/golden.npz")
	if err != nil {
		t.Fatal(err)
	}
	px, ids := g["pixel_values"], g["input_ids"]
	out := golden{pixels: px.F32(), nImg: px.Shape[0], nTxt: ids.Shape[0], ref: g}
	for _, v := range ids.I64 {
		out.ids = append(out.ids, int32(v))
	}
	return out
}

func readConfig(t testing.TB, dir string) Config {
	t.Helper()
	b, err := os.ReadFile(refdata.Path(dir + "/config.json"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfigJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// results runs both towers and returns everything the goldens hold.
type results struct {
	img, txt, logits, imgPool, txtPool, vis0, txt0 []float32
}

func run(t testing.TB, m *Model, g golden) results {
	t.Helper()
	p, err := m.NewPlan(g.nImg, g.nTxt)
	if err != nil {
		t.Fatal(err)
	}
	img, err := p.Images(g.pixels, g.nImg)
	if err != nil {
		t.Fatal(err)
	}
	txt, err := p.Texts(g.ids, g.nTxt)
	if err != nil {
		t.Fatal(err)
	}
	r := results{img: img, txt: txt, imgPool: p.ImagePooler(), txtPool: p.TextPooler(),
		vis0: p.VisionLastHidden(0), txt0: p.TextLastHidden(0)}
	r.logits = make([]float32, g.nImg*g.nTxt)
	m.LogitsPerImage(r.logits, img, txt, g.nImg, g.nTxt)
	return r
}

type bound struct {
	key string
	got func(results) []float32
	tol float64
}

func check(t *testing.T, r results, g golden, bounds []bound) {
	t.Helper()
	for _, b := range bounds {
		want, ok := g.ref["fp64/"+b.key]
		if !ok {
			t.Fatalf("golden has no fp64/%s", b.key)
		}
		d := refdata.MaxAbsDiff(b.got(r), want.F64)
		t.Logf("%-26s max abs err %.3g (bound %g)", b.key, d, b.tol)
		if d > b.tol {
			t.Errorf("%s: max abs err %g > %g", b.key, d, b.tol)
		}
	}
}

func tinyBounds(scale float64) []bound {
	return []bound{
		{"logits_per_image", func(r results) []float32 { return r.logits }, 1e-4 * scale},
		{"image_embeds", func(r results) []float32 { return r.img }, 1e-5 * scale},
		{"text_embeds", func(r results) []float32 { return r.txt }, 1e-5 * scale},
		{"image_pooler", func(r results) []float32 { return r.imgPool }, 1e-4 * scale},
		{"text_pooler", func(r results) []float32 { return r.txtPool }, 1e-4 * scale},
		{"vision_last_hidden_state0", func(r results) []float32 { return r.vis0 }, 1e-4 * scale},
		{"text_last_hidden_state0", func(r results) []float32 { return r.txt0 }, 1e-4 * scale},
	}
}

func loadTiny(t testing.TB) *Model {
	t.Helper()
	cfg, err := os.ReadFile(refdata.Path("tiny/config.json"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := os.ReadFile(refdata.Path("tiny/model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadHF(cfg, w)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTinyGolden(t *testing.T) {
	m := loadTiny(t)
	g := loadGolden(t, "tiny")
	check(t, run(t, m, g), g, tinyBounds(1))
}

func TestTinyFormulaWeights(t *testing.T) {
	m, err := Load(readConfig(t, "tiny"), FormulaSource{})
	if err != nil {
		t.Fatal(err)
	}
	g := loadGolden(t, "tiny")
	check(t, run(t, m, g), g, tinyBounds(1))
}
