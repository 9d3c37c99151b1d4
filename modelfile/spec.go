package modelfile

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Kind says how a tensor is stored under the quantized schemes.
type Kind int

const (
	// Float tensors (norms, biases, position embeddings, the probe,
	// logit_scale, logit_bias) are always stored as F32.
	Float Kind = iota
	// Linear weights W[N][K] (out × in) are quantized per output row (q8)
	// or per block of 32 along K (q4). The patch embedding is one, seen as
	// [hidden, channels·patch·patch].
	Linear
	// Embedding is the token table [vocab][hidden]: quantized like a
	// Linear weight, but q8 keeps it row-major so a row can be gathered.
	Embedding
)

func (k Kind) String() string {
	switch k {
	case Linear:
		return "linear"
	case Embedding:
		return "embedding"
	}
	return "float"
}

// Spec is one tensor the model needs: its Hugging Face name, its shape as
// Hugging Face stores it (HFShape) and, for Linear and Embedding, the
// matrix view N×K the file and the kernels use.
type Spec struct {
	Name    string
	Kind    Kind
	HFShape []int
	N, K    int // Linear / Embedding only
}

// towerConfig holds the fields of a SiglipTextConfig / SiglipVisionConfig
// that fix tensor shapes (Hugging Face field names and defaults).
type towerConfig struct {
	HiddenSize            *int  `json:"hidden_size"`
	IntermediateSize      *int  `json:"intermediate_size"`
	NumHiddenLayers       *int  `json:"num_hidden_layers"`
	MaxPositionEmbeddings *int  `json:"max_position_embeddings"`
	VocabSize             *int  `json:"vocab_size"`
	ProjectionSize        *int  `json:"projection_size"`
	ImageSize             *int  `json:"image_size"`
	PatchSize             *int  `json:"patch_size"`
	NumChannels           *int  `json:"num_channels"`
	VisionUseHead         *bool `json:"vision_use_head"`
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// Specs lists every tensor a SiglipModel with this HF config.json has, in
// a fixed order, with the shapes the config implies.
func Specs(cfgJSON []byte) ([]Spec, error) {
	var cfg struct {
		Text   *towerConfig `json:"text_config"`
		Vision *towerConfig `json:"vision_config"`
	}
	if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
		return nil, fmt.Errorf("modelfile: config.json: %v", err)
	}
	if cfg.Text == nil || cfg.Vision == nil {
		return nil, fmt.Errorf("modelfile: config.json: needs text_config and vision_config (a SiglipModel config)")
	}
	tc, vc := cfg.Text, cfg.Vision
	th, ti, tl := intOr(tc.HiddenSize, 768), intOr(tc.IntermediateSize, 3072), intOr(tc.NumHiddenLayers, 12)
	vocab, maxPos := intOr(tc.VocabSize, 32000), intOr(tc.MaxPositionEmbeddings, 64)
	proj := intOr(tc.ProjectionSize, th)
	vh, vi, vl := intOr(vc.HiddenSize, 768), intOr(vc.IntermediateSize, 3072), intOr(vc.NumHiddenLayers, 12)
	img, patch, ch := intOr(vc.ImageSize, 224), intOr(vc.PatchSize, 16), intOr(vc.NumChannels, 3)
	useHead := vc.VisionUseHead == nil || *vc.VisionUseHead
	check := map[string]int{
		"text_config.hidden_size": th, "text_config.intermediate_size": ti, "text_config.vocab_size": vocab,
		"text_config.max_position_embeddings": maxPos, "text_config.projection_size": proj,
		"vision_config.hidden_size": vh, "vision_config.intermediate_size": vi, "vision_config.image_size": img,
		"vision_config.patch_size": patch, "vision_config.num_channels": ch,
	}
	for k, v := range check {
		if v <= 0 || v > 1<<20 {
			return nil, fmt.Errorf("modelfile: config.json: %s = %d is out of range", k, v)
		}
	}
	if tl < 0 || tl > 1000 || vl < 0 || vl > 1000 {
		return nil, fmt.Errorf("modelfile: config.json: num_hidden_layers %d / %d out of range", tl, vl)
	}
	if img < patch {
		return nil, fmt.Errorf("modelfile: config.json: vision image_size %d is smaller than patch_size %d", img, patch)
	}
	if vocab*th > 1<<31 || ch*patch*patch > 1<<20 {
		return nil, fmt.Errorf("modelfile: config.json: tensor sizes out of range")
	}
	var s []Spec
	flt := func(name string, shape ...int) { s = append(s, Spec{Name: name, Kind: Float, HFShape: shape}) }
	lin := func(name string, n, k int) {
		s = append(s, Spec{Name: name, Kind: Linear, HFShape: []int{n, k}, N: n, K: k})
	}
	layers := func(prefix string, n, h, inter int) {
		for l := 0; l < n; l++ {
			p := prefix + ".encoder.layers." + strconv.Itoa(l) + "."
			for _, x := range []string{"q_proj", "k_proj", "v_proj", "out_proj"} {
				lin(p+"self_attn."+x+".weight", h, h)
				flt(p+"self_attn."+x+".bias", h)
			}
			flt(p+"layer_norm1.weight", h)
			flt(p+"layer_norm1.bias", h)
			flt(p+"layer_norm2.weight", h)
			flt(p+"layer_norm2.bias", h)
			lin(p+"mlp.fc1.weight", inter, h)
			flt(p+"mlp.fc1.bias", inter)
			lin(p+"mlp.fc2.weight", h, inter)
			flt(p+"mlp.fc2.bias", h)
		}
	}
	flt("logit_scale", 1)
	flt("logit_bias", 1)
	s = append(s, Spec{Name: "text_model.embeddings.token_embedding.weight", Kind: Embedding, HFShape: []int{vocab, th}, N: vocab, K: th})
	flt("text_model.embeddings.position_embedding.weight", maxPos, th)
	layers("text_model", tl, th, ti)
	flt("text_model.final_layer_norm.weight", th)
	flt("text_model.final_layer_norm.bias", th)
	lin("text_model.head.weight", proj, th)
	flt("text_model.head.bias", proj)
	s = append(s, Spec{Name: "vision_model.embeddings.patch_embedding.weight", Kind: Linear,
		HFShape: []int{vh, ch, patch, patch}, N: vh, K: ch * patch * patch})
	flt("vision_model.embeddings.patch_embedding.bias", vh)
	flt("vision_model.embeddings.position_embedding.weight", (img/patch)*(img/patch), vh)
	layers("vision_model", vl, vh, vi)
	flt("vision_model.post_layernorm.weight", vh)
	flt("vision_model.post_layernorm.bias", vh)
	if useHead {
		flt("vision_model.head.probe", 1, 1, vh)
		lin("vision_model.head.attention.in_proj_weight", 3*vh, vh)
		flt("vision_model.head.attention.in_proj_bias", 3*vh)
		lin("vision_model.head.attention.out_proj.weight", vh, vh)
		flt("vision_model.head.attention.out_proj.bias", vh)
		flt("vision_model.head.layernorm.weight", vh)
		flt("vision_model.head.layernorm.bias", vh)
		lin("vision_model.head.mlp.fc1.weight", vi, vh)
		flt("vision_model.head.mlp.fc1.bias", vi)
		lin("vision_model.head.mlp.fc2.weight", vh, vi)
		flt("vision_model.head.mlp.fc2.bias", vh)
	}
	return s, nil
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
