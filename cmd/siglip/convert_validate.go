package main

import (
	"fmt"
	"math"
	"runtime"
	"runtime/debug"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

// validationTexts are tokenized by every conversion before its file is
// kept: plain English, punctuation, accents, CJK, emoji, digits and a
// whitespace run, so a tokenizer that cannot encode them fails the
// conversion instead of the first user.
var validationTexts = []string{
	"a photo of a cat",
	"Two dogs, playing in the snow!",
	"Ünïcödé café — naïve",
	"東京の夜景 and 서울",
	"🙂🚀 emoji 2026 #42",
	"   whitespace\t\truns   ",
}

// validateModelFile loads b exactly as the engine and the browser do
// (weights.Load: format, hash, every tensor; the tokenizer with the stored
// text pipeline; the stored preprocessing), tokenizes validationTexts,
// and runs the model on one image and one text, requiring finite
// embeddings and logits. It is what makes "a file that cannot load is
// never produced" true: convertDir renames its output into place only
// after this passes.
func validateModelFile(b []byte) (*modelfile.File, error) {
	m, f, err := weights.Load(b)
	if err != nil {
		return nil, err
	}
	tokBytes, tokKind := f.Tokenizer()
	tok, err := tokenizer.LoadWithText(tokBytes, f.Text)
	if err != nil {
		return nil, fmt.Errorf("tokenizer (%s): %v", tokKind, err)
	}
	cfg := m.Config
	seq := tok.SeqLen(cfg.TextConfig.MaxPositionEmbeddings)
	ids, err := tok.EncodeBatch(validationTexts, seq)
	if err != nil {
		return nil, fmt.Errorf("tokenizer (%s): %v", tokKind, err)
	}
	for i, id := range ids {
		if id < 0 || int(id) >= cfg.TextConfig.VocabSize {
			return nil, fmt.Errorf("tokenizer (%s) gives id %d for %q, outside the model's vocabulary of %d", tokKind, id, validationTexts[i/seq], cfg.TextConfig.VocabSize)
		}
	}
	v := cfg.VisionConfig
	proc, err := imageproc.ParsePreprocessorConfig(f.Preprocessor(), v.ImageSize)
	if err != nil {
		return nil, err
	}
	// One image: a colour gradient with a bright square, at an odd size so
	// the resize does real work.
	img := imageproc.NewRGB(97, 61)
	for y := 0; y < img.H; y++ {
		for x := 0; x < img.W; x++ {
			px := img.Pix[3*(y*img.W+x):]
			px[0], px[1], px[2] = uint8(x*255/img.W), uint8(y*255/img.H), 128
			if x > 30 && x < 60 && y > 20 && y < 40 {
				px[0], px[1], px[2] = 250, 240, 20
			}
		}
	}
	pixels := make([]float32, v.NumChannels*v.ImageSize*v.ImageSize)
	if err := imageproc.NewPreprocessor(proc).Into(pixels, img); err != nil {
		return nil, err
	}
	p, err := m.NewPlan(1, 1)
	if err != nil {
		return nil, err
	}
	ie, err := p.Images(pixels, 1)
	if err != nil {
		return nil, err
	}
	ie = append([]float32(nil), ie...)
	te, err := p.Texts(ids[:seq], 1)
	if err != nil {
		return nil, err
	}
	logit := make([]float32, 1)
	m.LogitsPerImage(logit, ie, te, 1, 1)
	for _, c := range []struct {
		what string
		v    []float32
	}{{"image embedding", ie}, {"text embedding", te}, {"logit", logit}} {
		for _, x := range c.v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("the model gives a non-finite %s (%v) on a test input", c.what, x)
			}
		}
	}
	return f, nil
}

// validateFile maps the just-written temporary file tmp and validates it
// (validateModelFile); writeConvertOutput (convert_output.go) renames it
// into place only then: out is either a model file that loads, tokenizes
// and runs, or untouched.
func validateFile(tmp string) (int64, string, error) {
	b, unmap, err := mapFile(tmp)
	if err != nil {
		return 0, "", err
	}
	defer unmap()
	// The check builds the model, which for f32 files is a packed float32
	// copy of every Linear (the size of the output): collect garbage
	// eagerly meanwhile so the peak stays near that copy, not twice it.
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	f, err := validateModelFile(b)
	if err != nil {
		return 0, "", err
	}
	return int64(len(b)), f.SHA256, nil
}
