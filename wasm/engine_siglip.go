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

// textChunk is how many texts one Plan call embeds: activations for a
// chunk stay small (for SigLIP-base, 16×64 tokens × 768 floats per buffer),
// and larger batches are simply looped over.
const textChunk = 16

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
	plan, err := m.NewPlan(1, textChunk)
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
		pixels: make([]float32, v.NumChannels*v.ImageSize*v.ImageSize),
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

func (e *siglipEngine) embedRGB(rgb *imageproc.RGB) ([]float32, error) {
	if err := e.pre.Into(e.pixels, rgb); err != nil {
		return nil, err
	}
	out, err := e.plan.Images(e.pixels, 1)
	if err != nil {
		return nil, err
	}
	return append([]float32(nil), out...), nil
}

func (e *siglipEngine) EmbedImageRGBA(rgba []byte, width, height int) ([]float32, error) {
	rgb, err := imageproc.FromRGBA(rgba, width, height)
	if err != nil {
		return nil, err
	}
	return e.embedRGB(rgb)
}

func (e *siglipEngine) EmbedImageEncoded(data []byte) ([]float32, error) {
	img, err := imageproc.Decode(data)
	if err != nil {
		return nil, err
	}
	return e.embedRGB(imageproc.ToRGB(img))
}

func (e *siglipEngine) Tokenize(texts []string) ([]int32, int, error) {
	ids, err := e.tok.EncodeBatch(texts, e.seq)
	return ids, e.seq, err
}

func (e *siglipEngine) EmbedTexts(texts []string) ([][]float32, error) {
	d := e.info.EmbedDim
	out := make([][]float32, 0, len(texts))
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
		for i := range part {
			out = append(out, append([]float32(nil), emb[i*d:(i+1)*d]...))
		}
	}
	return out, nil
}

func (e *siglipEngine) Scores(image []float32, texts [][]float32) (logits, probs []float32, err error) {
	d := e.info.EmbedDim
	if len(image) != d {
		return nil, nil, fmt.Errorf("image embedding has %d values, the model's have %d", len(image), d)
	}
	flat, dim, err := joinRows(texts)
	if err != nil {
		return nil, nil, err
	}
	if dim != d {
		return nil, nil, fmt.Errorf("text embeddings have %d values, the model's have %d", dim, d)
	}
	logits = make([]float32, len(texts))
	e.m.LogitsPerImage(logits, image, flat, 1, len(texts))
	probs = append([]float32(nil), logits...)
	model.Sigmoid(probs)
	return logits, probs, nil
}
