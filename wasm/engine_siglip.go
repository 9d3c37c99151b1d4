package main

import (
	"fmt"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

// textChunk and imageChunk are how many texts and images one Plan call
// embeds: the plan's activations are sized for them, and larger batches
// are looped over. They are small because the plan is part of the tab's
// memory next to the model file (large-256: 20 MB for 8 texts, 36 MB for
// 2 images; 16 texts and 4 images took 100 MB). Each chunk still gives
// the kernels 512 rows (8×64 tokens, 2×256 patches) per product.
const (
	textChunk  = 8
	imageChunk = 2
)

// siglipEngine is one loaded model: the file (whose bytes the weights view),
// the model, its tokenizer and a Plan with its preprocessing buffers. It is
// used by one call at a time (the worker queues calls).
type siglipEngine struct {
	data   []byte // the model file (the GPU backend copies tensors from it: gpu.go)
	file   *modelfile.File
	m      *model.Model
	tok    *tokenizer.Tokenizer
	plan   *model.Plan
	pre    *imageproc.Preprocessor
	pixels []float32
	seq    int
	info   modelInfo
}

// openEngine checks and loads a model file (the bytes are kept: the
// weights are views into them).
func openEngine(data []byte) (engine, error) {
	m, f, err := weights.Load(data)
	if err != nil {
		return nil, err
	}
	cfg := m.Config
	tokBytes, tokKind := f.Tokenizer()
	tok, err := tokenizer.LoadWithText(tokBytes, f.Text) // the text pipeline stored by the converter
	if err != nil {
		return nil, fmt.Errorf("model file: tokenizer (%s): %w", tokKind, err)
	}
	plan, err := m.NewPlan(imageChunk, textChunk)
	if err != nil {
		return nil, err
	}
	// The model file says how images are resized and normalised (SigLIP 2:
	// bilinear); files without it get SigLIP's defaults.
	proc, err := imageproc.ParsePreprocessorConfig(f.Preprocessor(), cfg.VisionConfig.ImageSize)
	if err != nil {
		return nil, fmt.Errorf("model file: %w", err)
	}
	kernel.WarmUp() // V8 tiers the kernels up now, so the first image is not slower than the second
	v := cfg.VisionConfig
	e := &siglipEngine{
		data: data, file: f, m: m, tok: tok, plan: plan,
		pre:    imageproc.NewPreprocessor(proc),
		pixels: make([]float32, imageChunk*v.NumChannels*v.ImageSize*v.ImageSize),
		seq:    tok.SeqLen(cfg.TextConfig.MaxPositionEmbeddings),
		info: modelInfo{
			ImageSize:     v.ImageSize,
			EmbedDim:      cfg.EmbedDim(),
			MaxTextTokens: cfg.TextConfig.MaxPositionEmbeddings,
			VisionLayers:  v.NumHiddenLayers,
			TextLayers:    cfg.TextConfig.NumHiddenLayers,
			Quantization:  f.Scheme(),
			Bytes:         len(data),
			SHA256:        f.SHA256,
		},
	}
	return e, nil
}

func (e *siglipEngine) Info() modelInfo { return e.info }

// rgbOf decodes (or takes) one image as RGB.
func rgbOf(im imageInput) (*imageproc.RGB, error) {
	if im.Encoded != nil {
		img, err := imageproc.Decode(im.Encoded)
		if err != nil {
			return nil, err
		}
		return imageproc.ToRGB(img), nil
	}
	return imageproc.FromRGBA(im.RGBA, im.Width, im.Height)
}

// imageValues is one preprocessed image's size, [C][size][size] (the
// pixel buffer holds imageChunk of them).
func (e *siglipEngine) imageValues() int { return len(e.pixels) / imageChunk }

func (e *siglipEngine) Tokenize(texts []string) ([]int32, int, error) {
	ids, err := e.tok.EncodeBatch(texts, e.seq)
	return ids, e.seq, err
}

// EmbedImages preprocesses up to imageChunk images into the plan's pixel
// buffer and runs them as one batch, chunk after chunk. An error names the
// image when there are several.
func (e *siglipEngine) EmbedImages(images []imageInput) ([]float32, error) {
	d := e.info.EmbedDim
	per := e.imageValues()
	out := make([]float32, 0, len(images)*d)
	for lo := 0; lo < len(images); lo += imageChunk {
		part := images[lo:min(lo+imageChunk, len(images))]
		for i, im := range part {
			rgb, err := rgbOf(im)
			if err == nil {
				err = e.pre.Into(e.pixels[i*per:(i+1)*per], rgb)
			}
			if err != nil {
				return nil, prefixIndex(len(images), lo+i, err)
			}
		}
		emb, err := e.plan.Images(e.pixels[:len(part)*per], len(part))
		if err != nil {
			return nil, err
		}
		out = append(out, emb...)
	}
	return out, nil
}

func (e *siglipEngine) EmbedTexts(texts []string) ([]float32, error) {
	out := make([]float32, 0, len(texts)*e.info.EmbedDim)
	for lo := 0; lo < len(texts); lo += textChunk {
		part := texts[lo:min(lo+textChunk, len(texts))]
		ids, err := e.tok.EncodeBatch(part, e.seq)
		if err != nil {
			return nil, err
		}
		emb, err := e.plan.Texts(ids, len(part))
		if err != nil {
			return nil, err
		}
		out = append(out, emb...)
	}
	return out, nil
}

func (e *siglipEngine) Scores(images, texts []float32) (logits, probs []float32, err error) {
	d := e.info.EmbedDim
	for _, m := range []struct {
		what string
		v    []float32
	}{{"image", images}, {"text", texts}} {
		if len(m.v) == 0 || len(m.v)%d != 0 {
			return nil, nil, fmt.Errorf("%s embeddings: %d values are not a whole number (≥ 1) of the model's %d-value rows", m.what, len(m.v), d)
		}
	}
	nImg, nTxt := len(images)/d, len(texts)/d
	logits = make([]float32, nImg*nTxt)
	e.m.LogitsPerImage(logits, images, texts, nImg, nTxt)
	probs = append([]float32(nil), logits...)
	model.Sigmoid(probs)
	return logits, probs, nil
}
