package main

import "fmt"

// bindingVersion changes whenever the JS-visible API of this package does;
// web/worker.js checks it, so a stale siglip.wasm is caught with a clear
// message instead of odd failures.
const bindingVersion = 4

// engine is what the binding needs from a loaded model. Its one
// implementation (engine_siglip.go) wires the Go packages together; keeping
// the interface here lets the binding's conversions and guards be written
// and reviewed independently of the model code. Embeddings are flat,
// row-major, EmbedDim values a row, as they cross to JS.
type engine interface {
	// Info describes the model for the page (sizes, names).
	Info() modelInfo
	// EmbedImages embeds several images in batches: [len(images)][EmbedDim].
	EmbedImages(images []imageInput) ([]float32, error)
	// EmbedTexts embeds each text (tokenised the model's way): [len(texts)][EmbedDim].
	EmbedTexts(texts []string) ([]float32, error)
	// Scores returns the logits and sigmoid probabilities of image
	// embeddings [nImg][EmbedDim] against text embeddings [nTxt][EmbedDim],
	// row-major [nImg][nTxt].
	Scores(images, texts []float32) (logits, probs []float32, err error)
	// Tokenize returns the input ids EmbedTexts feeds the model: row-major
	// [len(texts), seq], the model file's stored text pipeline.
	Tokenize(texts []string) (ids []int32, seq int, err error)
}

// imageInput is one image: 8-bit RGBA pixels, row-major, width*height*4
// bytes (alpha dropped as PIL's convert("RGB") does), or, when Encoded is
// set, the bytes of a PNG, JPEG, GIF, WebP or BMP file.
type imageInput struct {
	RGBA          []byte
	Width, Height int
	Encoded       []byte
}

// classify is one zero-shot classification in one call: the texts not yet
// embedded are embedded, placed after the known text embeddings, and the
// image is scored against them all. It returns the new text embeddings (for
// the caller's cache) and the logits and probabilities over known ++ texts.
func classify(e engine, image imageInput, known []float32, texts []string) (embedded, logits, probs []float32, err error) {
	all := known
	if len(texts) > 0 {
		if embedded, err = e.EmbedTexts(texts); err != nil {
			return nil, nil, nil, err
		}
		all = append(append(make([]float32, 0, len(known)+len(embedded)), known...), embedded...)
	}
	img, err := e.EmbedImages([]imageInput{image})
	if err != nil {
		return nil, nil, nil, err
	}
	logits, probs, err = e.Scores(img, all)
	return embedded, logits, probs, err
}

// modelInfo is sent to JS as a plain object.
type modelInfo struct {
	Name          string
	ImageSize     int
	EmbedDim      int
	MaxTextTokens int
	VisionLayers  int
	TextLayers    int
	Quantization  string
	Bytes         int
	SHA256        string // the model file's verified payload hash: names the model for caches
}

func (m modelInfo) toMap() map[string]any {
	return map[string]any{
		"name":          m.Name,
		"imageSize":     m.ImageSize,
		"embedDim":      m.EmbedDim,
		"maxTextTokens": m.MaxTextTokens,
		"visionLayers":  m.VisionLayers,
		"textLayers":    m.TextLayers,
		"quantization":  m.Quantization,
		"bytes":         m.Bytes,
		"sha256":        m.SHA256,
		"textBatch":     preferredTextBatch,
		"imageBatch":    imageChunk,
	}
}

// imageName names image i of n in messages ("image" when it is the only one).
func imageName(n, i int) string {
	if n == 1 {
		return "the image"
	}
	return fmt.Sprintf("image %d", i)
}

func prefixIndex(n, i int, err error) error {
	if n == 1 {
		return err
	}
	return fmt.Errorf("image %d: %w", i, err)
}
