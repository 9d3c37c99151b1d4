package main

// bindingVersion changes whenever the JS-visible API of this package does;
// web/worker.js checks it, so a stale siglip.wasm is caught with a clear
// message instead of odd failures.
const bindingVersion = 3

// engine is what the binding needs from a loaded model. Its one
// implementation (engine_siglip.go) wires the Go packages together; keeping
// the interface here lets the binding's conversions and guards be written
// and reviewed independently of the model code.
type engine interface {
	// Info describes the model for the page (sizes, names).
	Info() modelInfo
	// EmbedImageRGBA embeds one image given as 8-bit RGBA pixels, row-major,
	// width*height*4 bytes. Alpha is dropped as PIL's convert("RGB") does.
	EmbedImageRGBA(rgba []byte, width, height int) ([]float32, error)
	// EmbedImageEncoded decodes an encoded image (PNG, JPEG, ...) and embeds it.
	EmbedImageEncoded(data []byte) ([]float32, error)
	// EmbedTexts embeds each text (tokenised the SigLIP way).
	EmbedTexts(texts []string) ([][]float32, error)
	// Tokenize returns the input ids EmbedTexts feeds the model: row-major
	// [len(texts), seq], the model file's stored text pipeline.
	Tokenize(texts []string) (ids []int32, seq int, err error)
	// Scores returns the logits and sigmoid probabilities of one image
	// embedding against each text embedding.
	Scores(image []float32, texts [][]float32) (logits, probs []float32, err error)
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
		"imageBatch":    maxImagesPerCall,
	}
}
