package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

func readTestdata(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + rel)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// microConfig is a SiglipModel small enough for fuzz seeds and error cases,
// with sizes that exercise padding (N not a multiple of 8, K odd and not a
// multiple of 32).
const microConfig = `{"model_type":"siglip","text_config":{"hidden_size":12,"intermediate_size":20,"num_hidden_layers":1,
"max_position_embeddings":5,"vocab_size":11,"projection_size":12},
"vision_config":{"hidden_size":12,"intermediate_size":20,"num_hidden_layers":1,"image_size":6,"patch_size":3,"num_channels":3}}`

func writeFile(t testing.TB, cfg []byte, scheme string, opt Options) []byte {
	t.Helper()
	src, err := newFormulaSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteOptions(&buf, testSpecs, cfg, []byte("tokenizer bytes"), TokenizerSentencePiece, src, scheme, opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRoundTrip writes the tiny model (testdata/tiny, whose safetensors is
// the formula weights) under every scheme, reads it back and checks each
// tensor against the source within the scheme's rounding bound.
func TestRoundTrip(t *testing.T) {
	cfg := readTestdata(t, "tiny/config.json")
	st, err := safetensors.Parse(readTestdata(t, "tiny/model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	src := FromSafetensors(st)
	tok := readTestdata(t, "tokenizer/xlnet-base-cased-spiece.model")
	for _, c := range []struct {
		scheme string
		opt    Options
	}{{SchemeF32, Options{}}, {SchemeF16, Options{}}, {SchemeQ8, Options{}}, {SchemeQ8, Options{Q8ScaleF16: true}}, {SchemeQ4, Options{}}, {"micro-q8", Options{}}} {
		scheme, cfgUsed, srcUsed := c.scheme, cfg, Source(src)
		if scheme == "micro-q8" { // padded panels and blocks
			scheme, cfgUsed = SchemeQ8, []byte(microConfig)
			srcUsed, _ = newFormulaSource(cfgUsed)
		}
		var buf bytes.Buffer
		if err := WriteOptions(&buf, testSpecs, cfgUsed, tok, TokenizerSentencePiece, srcUsed, scheme, c.opt); err != nil {
			t.Fatalf("%s: %v", c.scheme, err)
		}
		f, err := Open(buf.Bytes(), testSpecs)
		if err != nil {
			t.Fatalf("%s: %v", c.scheme, err)
		}
		if f.Scheme() != scheme || !bytes.Equal(f.Config(), cfgUsed) {
			t.Fatalf("%s: scheme %q / config not carried", c.scheme, f.Scheme())
		}
		if b, kind := f.Tokenizer(); !bytes.Equal(b, tok) || kind != TokenizerSentencePiece {
			t.Fatalf("%s: tokenizer not carried (%q, %d bytes)", c.scheme, kind, len(b))
		}
		for _, s := range f.Specs() {
			_, want, err := srcUsed.Tensor(s.Name)
			if err != nil {
				t.Fatal(err)
			}
			if s.Kind == Float {
				got, err := f.Float32s(s.Name)
				if err != nil {
					t.Fatal(err)
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%s %s[%d] = %v, want %v", c.scheme, s.Name, i, got[i], want[i])
					}
				}
				continue
			}
			w, err := f.Weight(s.Name)
			if err != nil {
				t.Fatal(err)
			}
			got := w.Float32()
			for n := 0; n < s.N; n++ {
				var amax float64
				for k := 0; k < s.K; k++ {
					amax = math.Max(amax, math.Abs(float64(want[n*s.K+k])))
				}
				for k := 0; k < s.K; k++ {
					g, x := float64(got[n*s.K+k]), float64(want[n*s.K+k])
					var bound float64
					switch scheme {
					case SchemeF16:
						bound = math.Abs(x)*0x1p-11 + 0x1p-25
					case SchemeQ8:
						bound = amax/127*0.5*1.001 + 1e-9
						if c.opt.Q8ScaleF16 {
							bound = amax/127*0.5*(1+0x1p-10)*1.001 + amax*0x1p-11 + 1e-9
						}
					case SchemeQ4:
						if Q4KeepsQ8(s.Name) {
							bound = amax/127*0.5*1.001 + 1e-9
							break
						}
						var bmax float64
						for kk := k / 32 * 32; kk < min(k/32*32+32, s.K); kk++ {
							bmax = math.Max(bmax, math.Abs(float64(want[n*s.K+kk])))
						}
						// The scale search may trade one element's error
						// for the block's: clamping at 7 with d ≥ max/8.5 costs ≤ max·(1−7/8.5).
						bound = bmax*(1-7/8.5)*(1+0x1p-9) + 1e-9
					}
					if math.Abs(g-x) > bound {
						t.Fatalf("%s %s[%d][%d] = %v, want %v ± %g", c.scheme, s.Name, n, k, g, x, bound)
					}
				}
			}
			// The kernels read the weights in place.
			switch {
			case scheme == SchemeQ8 && s.Kind == Linear && w.Q8 == nil,
				scheme == SchemeQ8 && s.Kind == Embedding && w.Q8Rows == nil,
				scheme == SchemeQ4 && !Q4KeepsQ8(s.Name) && w.Q4 == nil,
				scheme == SchemeQ4 && Q4KeepsQ8(s.Name) && w.Q8 == nil:
				t.Fatalf("%s %s: no quantized view", c.scheme, s.Name)
			}
		}
	}
}

// TestQ8PackedMatchesKernel checks the stored panels against kernel.PackQ8
// and that MatMulQ8's reference on them matches float math.
func TestQ8PackedMatchesKernel(t *testing.T) {
	cfg := []byte(microConfig)
	f, err := Open(writeFile(t, cfg, SchemeQ8, Options{}), testSpecs)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := f.Weight("text_model.head.weight")
	src, _ := newFormulaSource(cfg)
	_, fw, _ := src.Tensor("text_model.head.weight")
	q, s := quantizeQ8Rows(fw, w.N, w.K, false)
	p, err := kernel.PackQ8(q, s, w.N, w.K)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(int8Bytes(p.Data), int8Bytes(w.Q8.Data)) || w.Q8.Kp != p.Kp {
		t.Fatal("stored q8 panels differ from kernel.PackQ8's")
	}
	a := []float32{0.5, -1, 2, 0.25, 0, 1, 1, -3, 0.1, 0.2, 0.3, 0.4}
	y := make([]float32, w.N)
	kernel.RefMatMulQ8(y, a, 1, w.Q8, nil)
	for n := 0; n < w.N; n++ {
		var e float64
		for k := range a {
			e += float64(a[k]) * float64(fw[n*w.K+k])
		}
		if math.Abs(e-float64(y[n])) > 0.02 {
			t.Fatalf("row %d: %v vs float %v", n, y[n], e)
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, s := range []string{SchemeF32, SchemeF16, SchemeQ8, SchemeQ4} {
		a := writeFile(t, []byte(microConfig), s, Options{})
		b := writeFile(t, []byte(microConfig), s, Options{})
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: two writes differ", s)
		}
	}
}

// rewriteHeader re-encodes a file's header after edit changes it and
// re-hashes it, so the edit reaches the checks behind the hash; the data
// section is kept.
func rewriteHeader(t *testing.T, b []byte, edit func(h map[string]any)) []byte {
	n := binary.LittleEndian.Uint64(b)
	var h map[string]any
	if err := json.Unmarshal(b[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	hj, _ := json.Marshal(h)
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(hj)))
	out = append(out, hj...)
	out = append(out, b[8+n:]...)
	if re, err := Rehash(out); err == nil { // version 2: the hash covers the header
		return re
	}
	return out
}

func TestOpenErrors(t *testing.T) {
	good := writeFile(t, []byte(microConfig), SchemeQ8, Options{})
	if _, err := Open(good, testSpecs); err != nil {
		t.Fatal(err)
	}
	meta := func(k, v string) func(h map[string]any) {
		return func(h map[string]any) { h["__metadata__"].(map[string]any)[k] = v }
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)-20] ^= 1
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"empty":     {nil, "too short"},
		"truncated": {good[:len(good)-1], "truncated"},
		"hf":        {readTestdata(t, "tiny/model.safetensors"), `format "pt"`},
		"nometa":    {rewriteHeader(t, good, func(h map[string]any) { delete(h, "__metadata__") }), "not a siglip-wasm model file"},
		"format":    {rewriteHeader(t, good, meta(MetaFormat, "gguf")), `format "gguf"`},
		"version":   {rewriteHeader(t, good, meta(MetaVersion, "3")), "unsupported format version 3"},
		"scheme":    {rewriteHeader(t, good, meta(MetaScheme, "q3")), `unknown scheme "q3"`},
		"hash":      {flipped, "SHA-256 mismatch"},
		"missing": {rewriteHeader(t, good, func(h map[string]any) {
			delete(h, "logit_bias")
		}), ""}, // the data section then has a hole: safetensors allows it? checked below
		"shape": {rewriteHeader(t, good, func(h map[string]any) {
			h["logit_bias"].(map[string]any)["shape"] = []int{1, 1}
		}), `tensor "logit_bias" is F32[1 1], want F32[1]`},
		"noscale": {rewriteHeader(t, good, func(h map[string]any) {
			delete(h, "text_model.head.weight.scale")
		}), `tensor "text_model.head.weight.scale" is missing`},
	}
	cases["missing"] = struct {
		b    []byte
		want string
	}{cases["missing"].b, `tensor "logit_bias" is missing`}
	for name, c := range cases {
		_, err := Open(c.b, testSpecs)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, c.want)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	cfg := []byte(microConfig)
	src, _ := newFormulaSource(cfg)
	var buf bytes.Buffer
	if err := Write(&buf, testSpecs, cfg, []byte("x"), TokenizerSentencePiece, src, "q5"); err == nil || !strings.Contains(err.Error(), "q5") {
		t.Fatalf("bad scheme: %v", err)
	}
	delete(src, "logit_scale")
	if err := Write(&buf, testSpecs, cfg, []byte("x"), TokenizerSentencePiece, src, "q8"); err == nil || !strings.Contains(err.Error(), "logit_scale") {
		t.Fatalf("missing tensor: %v", err)
	}
	src, _ = newFormulaSource(cfg)
	src["text_model.head.weight"] = []int{9, 13}
	if err := Write(&buf, testSpecs, cfg, []byte("x"), TokenizerSentencePiece, src, "q8"); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Fatalf("wrong shape: %v", err)
	}
	if err := Write(&buf, testSpecs, []byte(`{"text_config":{}}`), []byte("x"), TokenizerSentencePiece, src, "q8"); err == nil || !strings.Contains(err.Error(), "model_type") {
		t.Fatalf("bad config: %v", err)
	}
}

// FuzzOpen: go test -run XXX -fuzz FuzzOpen -fuzztime 60s -fuzzminimizetime 2s ./modelfile
// (the seeds are ~12 KB; minimizing them at the default 60 s each stalls the run).
func FuzzOpen(f *testing.F) {
	for _, s := range []string{SchemeF32, SchemeF16, SchemeQ8, SchemeQ4} {
		f.Add(writeFile(f, []byte(microConfig), s, Options{}))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		// Without the hash check, mutations reach the tensor checks.
		for _, verify := range []bool{true, false} {
			file, err := open(b, verify, testSpecs)
			if err != nil {
				continue
			}
			dst := make([]float32, 1<<12)
			for _, s := range file.Specs() {
				if s.Kind == Float {
					if _, err := file.Float32s(s.Name); err != nil {
						t.Fatal(err)
					}
					continue
				}
				w, err := file.Weight(s.Name)
				if err != nil {
					t.Fatal(err)
				}
				if w.K <= len(dst) {
					w.Row(w.N-1, dst)
				}
			}
		}
	})
}
