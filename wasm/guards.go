package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

// Limits on one call. Larger requests are split into batches by
// web/siglip.js (it reads textBatch/imageBatch from info), so that the
// worker can report progress and no single call holds gigabytes.
const (
	// preferredTextBatch is what siglip.js sends per call: small enough
	// that a long label list reports progress as it goes.
	preferredTextBatch = 32
	maxTextsPerCall    = 256
	maxImagesPerCall   = 64
	maxModelBytes      = 4 << 30 // wasm32 cannot address more
	minModelBytes      = 64      // below this, not even a header
)

// limits is every bound JS needs to check input before handing it over
// (siglipGo.limits): the image and text limits are imageproc's and
// tokenizer's own constants, so each is written once, in Go.
func limits() map[string]any {
	return map[string]any{
		"maxImageSide":     imageproc.MaxSide,
		"maxImagePixels":   imageproc.MaxPixels,
		"maxTextBytes":     tokenizer.MaxTextBytes,
		"maxTextsPerCall":  maxTextsPerCall,
		"maxImagesPerCall": maxImagesPerCall,
		"textBatch":        preferredTextBatch,
		"maxModelBytes":    maxModelBytes,
	}
}

// cleanTexts checks a batch of texts and replaces invalid UTF-8 by U+FFFD
// (JS strings with lone surrogates arrive that way), so the tokenizer only
// ever sees valid text.
func cleanTexts(texts []string) ([]string, error) {
	if len(texts) == 0 {
		return nil, fmt.Errorf("no texts given: need at least one label or query")
	}
	if len(texts) > maxTextsPerCall {
		return nil, fmt.Errorf("%d texts in one call; at most %d (split them into batches)", len(texts), maxTextsPerCall)
	}
	out := make([]string, len(texts))
	for i, t := range texts {
		if err := tokenizer.CheckText(fmt.Sprintf("text %d", i), t); err != nil {
			return nil, err
		}
		out[i] = strings.ToValidUTF8(t, "\uFFFD")
	}
	return out, nil
}

// checkRGBA validates the size of a raw RGBA image.
func checkRGBA(n, width, height int) error {
	if err := imageproc.CheckSize("RGBA image", width, height); err != nil {
		return err
	}
	if n != width*height*4 {
		return fmt.Errorf("RGBA image of %dx%d needs %d bytes, got %d", width, height, width*height*4, n)
	}
	return nil
}

// checkModelSize rejects model byte counts that cannot be a model.
func checkModelSize(n int) error {
	if n < minModelBytes {
		return fmt.Errorf("model file is %d bytes: too small to be a SigLIP model file (empty or truncated download?)", n)
	}
	if n > maxModelBytes {
		return fmt.Errorf("model file is %d bytes: more than the %d a wasm32 module can hold", n, maxModelBytes)
	}
	return nil
}

// checkFinite refuses NaN and ±Inf in a float input (embeddings handed
// back by JS), naming the input and the first bad value's place, instead
// of letting them through to scores that print as "NaN%".
func checkFinite(what string, v []float32) error {
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("%s: value %d is %v; embeddings must be finite numbers", what, i, x)
		}
	}
	return nil
}

// splitRows cuts a row-major matrix into rows of dim values.
func splitRows(data []float32, dim int) ([][]float32, error) {
	if dim <= 0 || len(data)%dim != 0 {
		return nil, fmt.Errorf("embedding matrix of %d values does not split into rows of %d", len(data), dim)
	}
	rows := make([][]float32, len(data)/dim)
	for i := range rows {
		rows[i] = data[i*dim : (i+1)*dim : (i+1)*dim]
	}
	return rows, nil
}

// joinRows is the inverse of splitRows; all rows must have the same length.
func joinRows(rows [][]float32) ([]float32, int, error) {
	if len(rows) == 0 {
		return nil, 0, nil
	}
	dim := len(rows[0])
	out := make([]float32, 0, dim*len(rows))
	for i, r := range rows {
		if len(r) != dim {
			return nil, 0, fmt.Errorf("embedding %d has %d values, embedding 0 has %d", i, len(r), dim)
		}
		out = append(out, r...)
	}
	return out, dim, nil
}
