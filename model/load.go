package model

import "github.com/siglip-wasm/siglip-wasm/safetensors"

// LoadHF loads a Hugging Face snapshot from the bytes of its config.json
// and model.safetensors. The weights buffer must outlive the model (F32
// tensors may be aliased) and must not be modified.
func LoadHF(configJSON, weights []byte) (*Model, error) {
	cfg, err := ParseConfigJSON(configJSON)
	if err != nil {
		return nil, err
	}
	f, err := safetensors.Parse(weights)
	if err != nil {
		return nil, err
	}
	return Load(cfg, FromSafetensors(f))
}
