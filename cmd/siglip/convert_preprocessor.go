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

// snapshotPreprocessor reads a snapshot's preprocessor_config.json (none:
// transformers' defaults at the model's image size), checks that every
// value is one the engine reproduces exactly, and returns the resolved
// form a model file stores (modelfile.MetaPreprocessor).
func snapshotPreprocessor(dir string, cfgJSON []byte) ([]byte, error) {
	cfg, err := model.ParseConfigJSON(cfgJSON)
	if err != nil {
		return nil, fmt.Errorf("%s/config.json: %v", dir, err)
	}
	path := filepath.Join(dir, "preprocessor_config.json")
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	p, err := imageproc.ParsePreprocessorConfig(b, cfg.VisionConfig.ImageSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err) // err names the file
	}
	return p.JSON(), nil
}
