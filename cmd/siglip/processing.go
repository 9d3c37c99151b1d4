package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/model"
)

// modelFilePreprocessors keeps the preprocessing stored in a loaded model
// file (modelfile.MetaPreprocessor; empty for files without it).
var modelFilePreprocessors = map[string][]byte{}

// imageProcessing is how --image files are turned into pixel values for
// the model at modelPath: what its model file stores, or the
// preprocessor_config.json beside a Hugging Face snapshot, or SigLIP's
// defaults at the model's image size (formula weights, or a snapshot
// without one).
func imageProcessing(modelPath string, v model.VisionConfig) (imageproc.Processing, error) {
	if b, ok := modelFilePreprocessors[modelPath]; ok {
		p, err := imageproc.ParsePreprocessorConfig(b, v.ImageSize)
		if err != nil {
			return p, fmt.Errorf("%s: %v", modelPath, err)
		}
		return p, nil
	}
	if modelPath == "" {
		return imageproc.DefaultProcessing(v.ImageSize), nil
	}
	dir := modelPath
	if st, err := os.Stat(modelPath); err == nil && !st.IsDir() {
		dir = filepath.Dir(modelPath)
	}
	path := filepath.Join(dir, "preprocessor_config.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return imageproc.DefaultProcessing(v.ImageSize), nil
	}
	if err != nil {
		return imageproc.Processing{}, err
	}
	p, err := imageproc.ParsePreprocessorConfig(b, v.ImageSize)
	if err != nil {
		return p, fmt.Errorf("%s: %v", dir, err) // err names the file
	}
	return p, nil
}
