package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// loaded is a model with, for a model file, the tokenizer it carries (for
// a snapshot directory, the one convert would store).
type loaded struct {
	*model.Model
	tokenizer []byte // nil unless the model came from a model file or a snapshot with a tokenizer
	text      string // the stored (or resolved) text pipeline (modelfile.MetaText), "" if none
}

// isModelFile reports whether path is one of our single-file models (as
// written by `siglip convert`), which carry their config and tokenizer:
// modelfile reads the header's format name, whatever the file is called.
func isModelFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return modelfile.IsModelFile(f)
}

func loadModelFile(path string) (loaded, error) {
	b, err := readInput(path, "--model", maxModelFileBytes)
	if err != nil {
		return loaded{}, err
	}
	m, f, err := weights.Load(b)
	if err != nil {
		return loaded{}, fmt.Errorf("%s: %v", path, err)
	}
	tok, _ := f.Tokenizer()
	modelFilePreprocessors[path] = f.Preprocessor() // read by imageProcessing (processing.go)
	return loaded{m, tok, f.Text}, nil
}

// loadModel loads --model (a snapshot directory, a model.safetensors file
// with config.json beside it, or a model file) or the formula weights of
// --config.
func loadModel(path, configPath string, formula bool) (loaded, error) {
	if formula {
		if configPath == "" || path != "" {
			return loaded{}, errors.New("--formula-weights needs --config and no --model")
		}
		cfg, err := readConfig(configPath)
		if err != nil {
			return loaded{}, err
		}
		m, err := model.Load(cfg, model.FormulaSource{})
		return loaded{Model: m}, err
	}
	if path == "" {
		return loaded{}, errors.New("give --model DIR_OR_FILE, or --config with --formula-weights")
	}
	weightsPath := path
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return loaded{}, err
	case st.IsDir():
		return loadSnapshot(path, configPath)
	case !st.Mode().IsRegular():
		return loaded{}, fmt.Errorf("--model %s is not a regular file or a directory (a device or a pipe?)", path)
	case isModelFile(path):
		return loadModelFile(path)
	}
	if configPath == "" {
		configPath = filepath.Join(filepath.Dir(weightsPath), "config.json")
		if _, err := os.Stat(configPath); err != nil && !st.IsDir() {
			return loaded{}, fmt.Errorf("--model %s is not a %s model file, and no config.json is beside it for a safetensors checkpoint (%v)", path, modelfile.FormatName, err)
		}
	}
	cfg, err := readConfig(configPath)
	if err != nil {
		return loaded{}, err
	}
	wb, err := readInput(weightsPath, "--model", maxModelFileBytes)
	if err != nil {
		return loaded{}, err
	}
	f, err := safetensors.Parse(wb)
	if err != nil {
		return loaded{}, fmt.Errorf("%s: %v", weightsPath, err)
	}
	m, err := model.Load(cfg, model.FromSafetensors(f))
	if err != nil {
		return loaded{}, fmt.Errorf("%s: %v", weightsPath, err)
	}
	return loaded{Model: m}, nil
}

// loadSnapshot loads a Hugging Face snapshot directory as convert reads it:
// one model.safetensors or the shards of model.safetensors.index.json,
// mapped rather than read (a pickle-only directory gets the hint naming the
// fix), with the tokenizer, text pipeline (tokenizer_config.json) and
// preprocessing (preprocessor_config.json) convert would store, so embed
// on a snapshot gives what embed on its converted f32 file gives. The
// checkpoint stays mapped until the process exits: the model views it.
func loadSnapshot(dir, configPath string) (loaded, error) {
	if configPath == "" {
		configPath = filepath.Join(dir, "config.json")
	}
	cfgJSON, err := readInput(configPath, "config", maxSideFileBytes)
	if err != nil {
		return loaded{}, err
	}
	cfg, err := model.ParseConfigJSON(cfgJSON)
	if err != nil {
		return loaded{}, fmt.Errorf("%s: %v", configPath, err)
	}
	ck, err := openCheckpoint(dir) // convert_checkpoint.go
	if err != nil {
		return loaded{}, err
	}
	m, err := model.Load(cfg, model.FromTensors(ck.Tensor))
	if err != nil {
		ck.Close()
		return loaded{}, fmt.Errorf("%s: %v", dir, err)
	}
	pre, err := snapshotPreprocessor(dir, cfgJSON) // convert_preprocessor.go
	if err != nil {
		return loaded{}, err
	}
	modelFilePreprocessors[dir] = pre // read by imageProcessing (processing.go)
	out := loaded{Model: m}
	tok, _, err := readTokenizer(dir) // convert.go; none: --text asks for --tokenizer
	if err == nil {
		if out.text, err = textPipeline(dir, tok, cfgJSON); err != nil { // convert_text.go
			return loaded{}, err
		}
		out.tokenizer = tok
	}
	return out, nil
}

func readConfig(path string) (model.Config, error) {
	b, err := readInput(path, "config", maxSideFileBytes)
	if err != nil {
		return model.Config{}, err
	}
	cfg, err := model.ParseConfigJSON(b)
	if err != nil {
		return model.Config{}, fmt.Errorf("%s: %v", path, err)
	}
	return cfg, nil
}
