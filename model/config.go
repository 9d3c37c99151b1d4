package model

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/siglip-wasm/siglip-wasm/kernel"
)

// TextConfig is HF SiglipTextConfig (JSON field names as Hugging Face
// writes them; missing fields take transformers' defaults).
type TextConfig struct {
	VocabSize             int     `json:"vocab_size"`
	HiddenSize            int     `json:"hidden_size"`
	IntermediateSize      int     `json:"intermediate_size"`
	NumHiddenLayers       int     `json:"num_hidden_layers"`
	NumAttentionHeads     int     `json:"num_attention_heads"`
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	HiddenAct             string  `json:"hidden_act"`
	LayerNormEps          float64 `json:"layer_norm_eps"`
	PadTokenID            int     `json:"pad_token_id"`
	BosTokenID            int     `json:"bos_token_id"`
	EosTokenID            int     `json:"eos_token_id"`
	// ProjectionSize is the text head's output size; HF defaults it to
	// HiddenSize (0 here after parsing means "not given" and is replaced).
	ProjectionSize int `json:"projection_size"`
}

// VisionConfig is HF SiglipVisionConfig.
type VisionConfig struct {
	HiddenSize        int     `json:"hidden_size"`
	IntermediateSize  int     `json:"intermediate_size"`
	NumHiddenLayers   int     `json:"num_hidden_layers"`
	NumAttentionHeads int     `json:"num_attention_heads"`
	NumChannels       int     `json:"num_channels"`
	ImageSize         int     `json:"image_size"`
	PatchSize         int     `json:"patch_size"`
	HiddenAct         string  `json:"hidden_act"`
	LayerNormEps      float64 `json:"layer_norm_eps"`
	// VisionUseHead: HF's vision_use_head (default true). Only true is
	// supported: SiglipModel's image embedding is the pooling head's output.
	VisionUseHead *bool `json:"vision_use_head,omitempty"`
}

// Config is HF SiglipConfig.
type Config struct {
	ModelType    string       `json:"model_type"`
	TextConfig   TextConfig   `json:"text_config"`
	VisionConfig VisionConfig `json:"vision_config"`
}

// DefaultTextConfig returns transformers' SiglipTextConfig defaults.
func DefaultTextConfig() TextConfig {
	return TextConfig{VocabSize: 32000, HiddenSize: 768, IntermediateSize: 3072, NumHiddenLayers: 12,
		NumAttentionHeads: 12, MaxPositionEmbeddings: 64, HiddenAct: "gelu_pytorch_tanh", LayerNormEps: 1e-6,
		PadTokenID: 1, BosTokenID: 49406, EosTokenID: 49407}
}

// DefaultVisionConfig returns transformers' SiglipVisionConfig defaults.
func DefaultVisionConfig() VisionConfig {
	return VisionConfig{HiddenSize: 768, IntermediateSize: 3072, NumHiddenLayers: 12, NumAttentionHeads: 12,
		NumChannels: 3, ImageSize: 224, PatchSize: 16, HiddenAct: "gelu_pytorch_tanh", LayerNormEps: 1e-6}
}

// ParseConfig reads a HF config.json for a SiglipModel and validates it.
func ParseConfig(r io.Reader) (Config, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return Config{}, fmt.Errorf("model: reading config: %v", err)
	}
	return ParseConfigJSON(b)
}

// ParseConfigJSON is ParseConfig over bytes.
func ParseConfigJSON(b []byte) (Config, error) {
	cfg := Config{TextConfig: DefaultTextConfig(), VisionConfig: DefaultVisionConfig()}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return Config{}, fmt.Errorf("model: config.json: %v", jsonProblem(err)) // config_errors.go
	}
	if cfg.TextConfig.ProjectionSize == 0 {
		var raw struct {
			Text map[string]json.RawMessage `json:"text_config"`
		}
		_ = json.Unmarshal(b, &raw)
		if _, given := raw.Text["projection_size"]; !given {
			cfg.TextConfig.ProjectionSize = cfg.TextConfig.HiddenSize
		}
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// activation maps a HF hidden_act to its kernel. gelu_new is HF's
// NewGELUActivation, the same tanh formula as gelu_pytorch_tanh.
func activation(name string) (func([]float32), error) {
	switch name {
	case "gelu_pytorch_tanh", "gelu_new":
		return kernel.GELUTanh, nil
	case "gelu":
		return kernel.GELUErf, nil
	}
	return nil, fmt.Errorf("hidden_act %q is not supported (want gelu_pytorch_tanh, gelu_new or gelu)", name)
}

// Validate checks that the configuration describes a model this engine runs.
func (c Config) Validate() error {
	if c.ModelType != "siglip" {
		return fmt.Errorf("model: config model_type is %q, want \"siglip\"", c.ModelType)
	}
	t, v := c.TextConfig, c.VisionConfig
	pos := []struct {
		name string
		v    int
	}{
		{"text_config.vocab_size", t.VocabSize}, {"text_config.hidden_size", t.HiddenSize},
		{"text_config.intermediate_size", t.IntermediateSize}, {"text_config.num_hidden_layers", t.NumHiddenLayers},
		{"text_config.num_attention_heads", t.NumAttentionHeads}, {"text_config.max_position_embeddings", t.MaxPositionEmbeddings},
		{"text_config.projection_size", t.ProjectionSize},
		{"vision_config.hidden_size", v.HiddenSize}, {"vision_config.intermediate_size", v.IntermediateSize},
		{"vision_config.num_hidden_layers", v.NumHiddenLayers}, {"vision_config.num_attention_heads", v.NumAttentionHeads},
		{"vision_config.num_channels", v.NumChannels}, {"vision_config.image_size", v.ImageSize},
		{"vision_config.patch_size", v.PatchSize},
	}
	for _, p := range pos {
		if p.v <= 0 {
			return fmt.Errorf("model: config %s is %d, must be positive", p.name, p.v)
		}
		if p.v > 1<<20 {
			return fmt.Errorf("model: config %s is %d, implausibly large", p.name, p.v)
		}
	}
	if t.HiddenSize%t.NumAttentionHeads != 0 {
		return fmt.Errorf("model: config text_config.hidden_size %d is not divisible by num_attention_heads %d", t.HiddenSize, t.NumAttentionHeads)
	}
	if v.HiddenSize%v.NumAttentionHeads != 0 {
		return fmt.Errorf("model: config vision_config.hidden_size %d is not divisible by num_attention_heads %d", v.HiddenSize, v.NumAttentionHeads)
	}
	// transformers' patch embedding is a stride-patch_size convolution
	// without padding: floor(image_size/patch_size) patches per side, the
	// right and bottom remainder ignored (so400m-patch14-384: 27×27 patches
	// of 14 px cover 378 of 384 px). Only an image smaller than one patch
	// has no grid.
	if v.ImageSize < v.PatchSize {
		return fmt.Errorf("model: config vision_config.image_size %d is smaller than patch_size %d: no patch fits", v.ImageSize, v.PatchSize)
	}
	if t.ProjectionSize != v.HiddenSize {
		return fmt.Errorf("model: config text_config.projection_size %d must equal vision_config.hidden_size %d (the embeddings are compared)", t.ProjectionSize, v.HiddenSize)
	}
	if !(t.LayerNormEps > 0) || !(v.LayerNormEps > 0) {
		return fmt.Errorf("model: config layer_norm_eps must be positive (text %v, vision %v)", t.LayerNormEps, v.LayerNormEps)
	}
	if _, err := activation(t.HiddenAct); err != nil {
		return fmt.Errorf("model: config text_config.%v", err)
	}
	if _, err := activation(v.HiddenAct); err != nil {
		return fmt.Errorf("model: config vision_config.%v", err)
	}
	if v.VisionUseHead != nil && !*v.VisionUseHead {
		return fmt.Errorf("model: config vision_config.vision_use_head is false; only models with the attention-pooling head are supported")
	}
	return nil
}

// GridSize is the number of patches per side: floor(image_size /
// patch_size), as transformers' stride-patch_size convolution takes them
// (pixels beyond GridSize·PatchSize on the right and bottom are ignored).
func (v VisionConfig) GridSize() int { return v.ImageSize / v.PatchSize }

// NumPatches is the number of patch tokens per image, GridSize².
func (v VisionConfig) NumPatches() int { g := v.GridSize(); return g * g }

// EmbedDim is the size of image and text embeddings.
func (c Config) EmbedDim() int { return c.VisionConfig.HiddenSize }
