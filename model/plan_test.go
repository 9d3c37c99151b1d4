package model

import (
	"math"
	"strings"
	"testing"
)

func TestPlanAllocatesNothing(t *testing.T) {
	m := loadTiny(t)
	g := loadGolden(t, "tiny")
	p, err := m.NewPlan(g.nImg, g.nTxt)
	if err != nil {
		t.Fatal(err)
	}
	logits := make([]float32, g.nImg*g.nTxt)
	step := func() {
		img, err := p.Images(g.pixels, g.nImg)
		if err != nil {
			t.Fatal(err)
		}
		txt, err := p.Texts(g.ids, g.nTxt)
		if err != nil {
			t.Fatal(err)
		}
		m.LogitsPerImage(logits, img, txt, g.nImg, g.nTxt)
		Sigmoid(logits)
	}
	step() // first use grows the kernel scratch
	if a := testing.AllocsPerRun(3, step); a != 0 {
		t.Fatalf("a forward pass allocated %v times", a)
	}
	// Smaller batches through the same plan give the same rows.
	img1, _ := p.Images(g.pixels[len(g.pixels)/2:], 1)
	first := append([]float32(nil), img1...)
	img2, _ := p.Images(g.pixels, 2)
	for i, v := range first {
		if d := math.Abs(float64(v - img2[len(first)+i])); d > 1e-6 {
			t.Fatalf("batch of 1 vs 2 differ at %d by %g", i, d)
		}
	}
}

func TestPlanInputErrors(t *testing.T) {
	m := loadTiny(t)
	p, _ := m.NewPlan(1, 2)
	ids := make([]int32, 64)
	for _, c := range []struct {
		err  error
		want string
	}{
		{func() error { _, e := p.Images(make([]float32, 10), 1); return e }(), "10 pixel values"},
		{func() error { _, e := p.Images(nil, 2); return e }(), "batch of 2 images"},
		{func() error { _, e := p.Texts(make([]int32, 65), 1); return e }(), "longer than max_position_embeddings"},
		{func() error { _, e := p.Texts(ids[:63], 2); return e }(), "do not split"},
		{func() error { ids[5] = 32000; _, e := p.Texts(ids, 1); return e }(), "token id 32000 at position 5"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error %v, want %q", c.err, c.want)
		}
	}
}

// PatchEmbed against the convolution written out in float64.
func TestPatchEmbedIsConvolution(t *testing.T) {
	m := loadTiny(t)
	g := loadGolden(t, "tiny")
	v := m.Config.VisionConfig
	h, c, ps, size := v.HiddenSize, v.NumChannels, v.PatchSize, v.ImageSize
	S, gr := v.NumPatches(), size/ps
	b := newVisionBuffers(v, 2, newEncoderBuffers(visionEncoderSize(v, 2)))
	m.Vision.PatchEmbed(b.x, g.pixels, 2, b.patches, &b.enc.Scratch)
	w := FormulaTensor("vision_model.embeddings.patch_embedding.weight", h, c, ps, ps)
	bias := FormulaTensor("vision_model.embeddings.patch_embedding.bias", h)
	pos := FormulaTensor("vision_model.embeddings.position_embedding.weight", S, h)
	var worst float64
	for img := 0; img < 2; img++ {
		for py := 0; py < gr; py++ {
			for px := 0; px < gr; px++ {
				for o := 0; o < h; o++ {
					s := float64(bias[o])
					for ch := 0; ch < c; ch++ {
						for y := 0; y < ps; y++ {
							for x := 0; x < ps; x++ {
								s += float64(w[((o*c+ch)*ps+y)*ps+x]) * float64(g.pixels[((img*c+ch)*size+py*ps+y)*size+px*ps+x])
							}
						}
					}
					tok := py*gr + px
					s += float64(pos[tok*h+o])
					worst = math.Max(worst, math.Abs(s-float64(b.x[(img*S+tok)*h+o])))
				}
			}
		}
	}
	if worst > 1e-5 {
		t.Fatalf("patch embedding differs from the convolution by %g", worst)
	}
}

// The pooling head against torch.nn.MultiheadAttention's algebra written
// out in float64 (probe as the only query, then residual + MLP(LN)).
func TestPoolingHeadAlone(t *testing.T) {
	m := loadTiny(t)
	v := m.Config.VisionConfig
	h, heads, S, inter := v.HiddenSize, v.NumAttentionHeads, v.NumPatches(), v.IntermediateSize
	hd := h / heads
	x := FormulaTensor("some input", S, h) // any deterministic hidden state
	b := newVisionBuffers(v, 1, newEncoderBuffers(visionEncoderSize(v, 1)))
	pooled := make([]float32, h)
	m.Vision.Head.Pool(pooled, x, 1, S, b)

	f := func(name string, shape ...int) []float64 {
		v := FormulaTensor("vision_model.head."+name, shape...)
		out := make([]float64, len(v))
		for i, e := range v {
			out[i] = float64(e)
		}
		return out
	}
	probe, win, bin := f("probe", 1, 1, h), f("attention.in_proj_weight", 3*h, h), f("attention.in_proj_bias", 3*h)
	wo, bo := f("attention.out_proj.weight", h, h), f("attention.out_proj.bias", h)
	lnw, lnb := f("layernorm.weight", h), f("layernorm.bias", h)
	w1, b1, w2, b2 := f("mlp.fc1.weight", inter, h), f("mlp.fc1.bias", inter), f("mlp.fc2.weight", h, inter), f("mlp.fc2.bias", h)
	lin := func(w, b, in []float64, out int) []float64 {
		y := make([]float64, out)
		for o := range y {
			y[o] = b[o]
			for k := range in {
				y[o] += w[o*len(in)+k] * in[k]
			}
		}
		return y
	}
	q := lin(win[:h*h], bin[:h], probe, h)
	keys := make([][]float64, S)
	vals := make([][]float64, S)
	for s := 0; s < S; s++ {
		row := make([]float64, h)
		for i := range row {
			row[i] = float64(x[s*h+i])
		}
		keys[s] = lin(win[h*h:2*h*h], bin[h:2*h], row, h)
		vals[s] = lin(win[2*h*h:], bin[2*h:], row, h)
	}
	att := make([]float64, h)
	for hh := 0; hh < heads; hh++ {
		sc := make([]float64, S)
		mx := math.Inf(-1)
		for s := range sc {
			for d := 0; d < hd; d++ {
				sc[s] += q[hh*hd+d] * keys[s][hh*hd+d]
			}
			sc[s] /= math.Sqrt(float64(hd))
			mx = math.Max(mx, sc[s])
		}
		var sum float64
		for s := range sc {
			sc[s] = math.Exp(sc[s] - mx)
			sum += sc[s]
		}
		for s := range sc {
			for d := 0; d < hd; d++ {
				att[hh*hd+d] += sc[s] / sum * vals[s][hh*hd+d]
			}
		}
	}
	res := lin(wo, bo, att, h)
	var mean, vr float64
	for _, e := range res {
		mean += e / float64(h)
	}
	for _, e := range res {
		vr += (e - mean) * (e - mean) / float64(h)
	}
	ln := make([]float64, h)
	for i, e := range res {
		ln[i] = (e-mean)/math.Sqrt(vr+v.LayerNormEps)*lnw[i] + lnb[i]
	}
	mid := lin(w1, b1, ln, inter)
	for i, e := range mid {
		mid[i] = 0.5 * e * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(e+0.044715*e*e*e)))
	}
	out := lin(w2, b2, mid, h)
	var worst float64
	for i := range out {
		worst = math.Max(worst, math.Abs(out[i]+res[i]-float64(pooled[i])))
	}
	if worst > 1e-5 {
		t.Fatalf("pooling head differs from the float64 algebra by %g", worst)
	}
}

// A plan's towers share their encoder buffers (and the attention buffers
// share a region with the MLP's): interleaved calls on one plan give the
// same bits as each tower on a plan of its own, and a tower's results
// survive the other tower's call.
func TestPlanSharedBuffersSameBits(t *testing.T) {
	m := loadTiny(t)
	g := loadGolden(t, "tiny")
	both, err := m.NewPlan(g.nImg, g.nTxt)
	if err != nil {
		t.Fatal(err)
	}
	pi, _ := m.NewPlan(g.nImg, 0)
	pt, _ := m.NewPlan(0, g.nTxt)
	wantImg, _ := pi.Images(g.pixels, g.nImg)
	wantTxt, _ := pt.Texts(g.ids, g.nTxt)
	wantHidden := append([]float32(nil), pi.VisionLastHidden(0)...)
	same := func(what string, got, want []float32) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s differs at %d: %v, want %v", what, i, got[i], want[i])
			}
		}
	}
	for round := 0; round < 2; round++ {
		txt, err := both.Texts(g.ids, g.nTxt)
		if err != nil {
			t.Fatal(err)
		}
		same("texts", txt, wantTxt)
		img, err := both.Images(g.pixels, g.nImg)
		if err != nil {
			t.Fatal(err)
		}
		same("images", img, wantImg)
		same("texts after images", txt, wantTxt)
		if _, err := both.Texts(g.ids[:len(g.ids)/g.nTxt], 1); err != nil {
			t.Fatal(err)
		}
		same("images after texts", img, wantImg)
		same("last_hidden_state after texts", both.VisionLastHidden(0), wantHidden)
	}
}
