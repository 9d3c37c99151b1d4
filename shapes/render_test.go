package shapes

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
)

func TestPromptsMatchDemoMeta(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "demo", "demo_meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Order and text must equal demo_meta.json's "prompts" exactly.
	var want struct {
		Prompts, Colors, Shapes, Backgrounds []string
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	got := Prompts()
	if len(got) != 48 || len(want.Prompts) != 48 {
		t.Fatalf("%d prompts, demo_meta has %d", len(got), len(want.Prompts))
	}
	for i := range got {
		if got[i] != want.Prompts[i] {
			t.Errorf("prompt %d = %q, want %q", i, got[i], want.Prompts[i])
		}
	}
	for i, c := range want.Colors {
		if Colours[i].Name != c {
			t.Errorf("colour %d = %q, want %q", i, Colours[i].Name, c)
		}
	}
	for i, b := range want.Backgrounds {
		if Backgrounds[i].Name != b {
			t.Errorf("background %d = %q, want %q", i, Backgrounds[i].Name, b)
		}
	}
	for i, s := range want.Shapes {
		if Shapes[i] != s {
			t.Errorf("shape %d = %q, want %q", i, Shapes[i], s)
		}
	}
}

// TestRenderStatistics: labels are consistent, the shape covers the area its
// size implies, the background corner pixels have the background's colour
// (within shading and noise), and held-out pairs only appear when allowed.
func TestRenderStatistics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const H = 128
	samples := Render(rng, 300, H, false)
	var fracSmall, fracLarge []float64
	for i, s := range samples {
		if s.W != H || s.H != H || len(s.Pix) != H*H*3 {
			t.Fatalf("sample %d: %d×%d, %d bytes", i, s.W, s.H, len(s.Pix))
		}
		if isHeldOut(s.ColourIndex, s.ShapeIndex) {
			t.Errorf("sample %d: held-out pair %s %s rendered", i, s.Colour, s.Shape)
		}
		if s.BackgroundIndex == s.ColourIndex {
			t.Errorf("sample %d: %s on %s", i, s.Colour, s.Background)
		}
		if Prompts()[PromptIndex(s.ColourIndex, s.ShapeIndex)] != s.Prompt() {
			t.Errorf("sample %d: PromptIndex disagrees with Prompt()", i)
		}
		// Fraction of pixels near the shape colour (max k = 1.15, noise 3σ ≈ 23 levels).
		bg := Backgrounds[s.BackgroundIndex]
		col := Colours[s.ColourIndex]
		near := 0
		for p := 0; p < H*H; p++ {
			if dist(s.Pix[3*p:], col, 0.85+0.15) < 0.2 && dist(s.Pix[3*p:], bg, 1) > 0.1 {
				near++
			}
		}
		if colourDist(col, bg) > 0.35 { // clearly separable colours only
			f := float64(near) / (H * H)
			if s.Large {
				fracLarge = append(fracLarge, f)
			} else {
				fracSmall = append(fracSmall, f)
			}
		}
		// A corner far from a small shape shows the background: mean of a 4×4 block.
		if !s.Large {
			for _, corner := range [][2]int{{0, 0}, {H - 4, 0}, {0, H - 4}, {H - 4, H - 4}} {
				if m := blockMean(s, corner[0], corner[1]); colourDistRGB(m, bg) < 0.2 {
					goto ok
				}
			}
			t.Errorf("sample %d (%s %s on %s): no corner shows the background", i, s.Colour, s.Shape, s.Background)
		ok:
		}
	}
	ms, ml := mean(fracSmall), mean(fracLarge)
	t.Logf("shape area fraction: small %.3f (n=%d), large %.3f (n=%d)", ms, len(fracSmall), ml, len(fracLarge))
	// Circle of radius r (half-widths) covers π r²/4 of the picture: r ∈ [0.16,0.26]
	// gives 2–5 %, r ∈ [0.36,0.54] gives 10–23 %; other shapes are comparable.
	if !(ms > 0.01 && ms < 0.07 && ml > 0.07 && ml < 0.3 && ml > 3*ms) {
		t.Errorf("shape area fractions small %.3f large %.3f out of range", ms, ml)
	}

	all := Render(rand.New(rand.NewPCG(3, 4)), 2000, 16, true)
	held := 0
	for _, s := range all {
		if isHeldOut(s.ColourIndex, s.ShapeIndex) {
			held++
		}
	}
	if held == 0 {
		t.Error("allowHeldOut never drew a held-out pair")
	}
	t.Logf("held-out pairs with allowHeldOut: %d of 2000 (expected ≈ %d)", held, 2000*4/48)

	// Write one picture as PNG and read it back through imageproc.
	dir := t.TempDir()
	out := filepath.Join(dir, "shape.png")
	if err := os.WriteFile(out, pngBytes(t, samples[0]), 0o644); err != nil {
		t.Fatal(err)
	}
	if keep := os.Getenv("SHAPES_PNG_DIR"); keep != "" { // to look at them
		for i, s := range samples[:6] {
			os.WriteFile(filepath.Join(keep, s.Colour+"_"+s.Shape+"_on_"+s.Background+"_"+string(rune('0'+i))+".png"), pngBytes(t, s), 0o644)
		}
	}
	data, _ := os.ReadFile(out)
	img, err := imageproc.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(imageproc.ToRGB(img).Pix, samples[0].Pix) {
		t.Error("PNG round trip changed the pixels")
	}
}

// TestPixelValuesIdentity: at the render size the resize is the identity and
// pixel values are (p/255 - 0.5)/0.5.
func TestPixelValuesIdentity(t *testing.T) {
	s := Render(rand.New(rand.NewPCG(5, 6)), 1, 128, false)[0]
	px, err := PixelValues(s, 128)
	if err != nil {
		t.Fatal(err)
	}
	n := 128 * 128
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			want := (float32(float64(s.Pix[3*i+c])/255) - 0.5) / 0.5
			if px[c*n+i] != want {
				t.Fatalf("pixel %d channel %d = %g, want %g", i, c, px[c*n+i], want)
			}
		}
	}
}

// TestNoiseMatchesSamples: the noise level of the reference samples (made by
// gen.py with torch) and of ours agree. Noise is estimated from differences of
// horizontal neighbours in the four 8×8 corners (median corner, so a shape in
// one corner does not count), mean over pictures.
func TestNoiseMatchesSamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "demo", "samples", "*_on_*.png"))
	if len(files) < 10 {
		t.Fatalf("found %d demo samples", len(files))
	}
	var ref []float64
	for _, f := range files {
		data, _ := os.ReadFile(f)
		img, err := imageproc.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		rgb := imageproc.ToRGB(img)
		if rgb.W != 128 || rgb.H != 128 {
			t.Fatalf("%s: %d×%d", f, rgb.W, rgb.H)
		}
		ref = append(ref, noiseSigma(rgb.Pix, rgb.W))
	}
	var ours []float64
	for _, s := range Render(rand.New(rand.NewPCG(7, 8)), 40, 128, false) {
		ours = append(ours, noiseSigma(s.Pix, s.W))
	}
	r, o := mean(ref), mean(ours)
	t.Logf("noise σ in levels: reference samples %.2f, ours %.2f (0.03×255 = 7.65 before clamping)", r, o)
	if math.Abs(r-o) > 0.2*r {
		t.Errorf("noise σ %.2f differs from the reference samples' %.2f by more than 20%%", o, r)
	}
}

func noiseSigma(pix []uint8, w int) float64 {
	var corners []float64
	for _, c := range [][2]int{{0, 0}, {w - 9, 0}, {0, w - 8}, {w - 9, w - 8}} {
		var ss float64
		n := 0
		for y := c[1]; y < c[1]+8; y++ {
			for x := c[0]; x < c[0]+8; x++ {
				for ch := 0; ch < 3; ch++ {
					d := float64(pix[(y*w+x)*3+ch]) - float64(pix[(y*w+x+1)*3+ch])
					ss += d * d
					n++
				}
			}
		}
		corners = append(corners, math.Sqrt(ss/float64(n)/2))
	}
	sort.Float64s(corners)
	return (corners[1] + corners[2]) / 2
}

func pngBytes(t *testing.T, s Sample) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, s.W, s.H))
	for p := 0; p < s.W*s.H; p++ {
		copy(img.Pix[4*p:], s.Pix[3*p:3*p+3])
		img.Pix[4*p+3] = 255
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func dist(p []uint8, c Colour, k float32) float64 {
	return colourDistRGB([3]float64{float64(p[0]) / 255, float64(p[1]) / 255, float64(p[2]) / 255}, Colour{R: c.R * k, G: c.G * k, B: c.B * k})
}

func colourDist(a, b Colour) float64 {
	return colourDistRGB([3]float64{float64(a.R), float64(a.G), float64(a.B)}, b)
}

func colourDistRGB(a [3]float64, b Colour) float64 {
	return math.Max(math.Abs(a[0]-float64(b.R)), math.Max(math.Abs(a[1]-float64(b.G)), math.Abs(a[2]-float64(b.B))))
}

func blockMean(s Sample, x0, y0 int) (m [3]float64) {
	for y := y0; y < y0+4; y++ {
		for x := x0; x < x0+4; x++ {
			for c := 0; c < 3; c++ {
				m[c] += float64(s.Pix[(y*s.W+x)*3+c]) / 255 / 16
			}
		}
	}
	return m
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
