package model

import "fmt"

// TensorKind says how Load reads a parameter: Float, Linear or Embedding.
type TensorKind int

const (
	// TensorFloat is read with WeightSource.Float (norms, biases, position
	// embeddings, the probe, logit_scale, logit_bias).
	TensorFloat TensorKind = iota
	// TensorLinear is read with WeightSource.Linear: a projection weight
	// [out][in...] (the patch embedding as [hidden][C·p·p]).
	TensorLinear
	// TensorEmbedding is the token table, read with WeightSource.Embedding.
	TensorEmbedding
)

// TensorSpec names one parameter tensor, its HF shape and how Load reads it.
type TensorSpec struct {
	Name  string
	Shape []int
	Kind  TensorKind
}

// TensorSpecs lists every parameter tensor a SigLIP model of this
// configuration has, with HF names and shapes, in a fixed order (what a
// converter must write and what Load reads).
func TensorSpecs(c Config) []TensorSpec {
	t, v := c.TextConfig, c.VisionConfig
	var out []TensorSpec
	add := func(name string, shape ...int) { out = append(out, TensorSpec{name, shape, kindOf(name)}) }
	add("logit_scale", 1)
	add("logit_bias", 1)
	add("text_model.embeddings.token_embedding.weight", t.VocabSize, t.HiddenSize)
	add("text_model.embeddings.position_embedding.weight", t.MaxPositionEmbeddings, t.HiddenSize)
	encoderSpecs(&out, "text_model.encoder", t.NumHiddenLayers, t.HiddenSize, t.IntermediateSize)
	add("text_model.final_layer_norm.weight", t.HiddenSize)
	add("text_model.final_layer_norm.bias", t.HiddenSize)
	add("text_model.head.weight", t.ProjectionSize, t.HiddenSize)
	add("text_model.head.bias", t.ProjectionSize)
	h := v.HiddenSize
	add("vision_model.embeddings.patch_embedding.weight", h, v.NumChannels, v.PatchSize, v.PatchSize)
	add("vision_model.embeddings.patch_embedding.bias", h)
	add("vision_model.embeddings.position_embedding.weight", v.NumPatches(), h)
	encoderSpecs(&out, "vision_model.encoder", v.NumHiddenLayers, h, v.IntermediateSize)
	add("vision_model.post_layernorm.weight", h)
	add("vision_model.post_layernorm.bias", h)
	add("vision_model.head.probe", 1, 1, h)
	add("vision_model.head.attention.in_proj_weight", 3*h, h)
	add("vision_model.head.attention.in_proj_bias", 3*h)
	add("vision_model.head.attention.out_proj.weight", h, h)
	add("vision_model.head.attention.out_proj.bias", h)
	add("vision_model.head.layernorm.weight", h)
	add("vision_model.head.layernorm.bias", h)
	add("vision_model.head.mlp.fc1.weight", v.IntermediateSize, h)
	add("vision_model.head.mlp.fc1.bias", v.IntermediateSize)
	add("vision_model.head.mlp.fc2.weight", h, v.IntermediateSize)
	add("vision_model.head.mlp.fc2.bias", h)
	return out
}

func encoderSpecs(out *[]TensorSpec, prefix string, layers, h, inter int) {
	for i := 0; i < layers; i++ {
		p := fmt.Sprintf("%s.layers.%d.", prefix, i)
		add := func(name string, shape ...int) { *out = append(*out, TensorSpec{p + name, shape, kindOf(p + name)}) }
		add("layer_norm1.weight", h)
		add("layer_norm1.bias", h)
		for _, proj := range []string{"k_proj", "v_proj", "q_proj", "out_proj"} {
			add("self_attn."+proj+".weight", h, h)
			add("self_attn."+proj+".bias", h)
		}
		add("layer_norm2.weight", h)
		add("layer_norm2.bias", h)
		add("mlp.fc1.weight", inter, h)
		add("mlp.fc1.bias", inter)
		add("mlp.fc2.weight", h, inter)
		add("mlp.fc2.bias", h)
	}
}

func kindOf(name string) TensorKind {
	switch {
	case name == "text_model.embeddings.token_embedding.weight":
		return TensorEmbedding
	case IsLinear(name):
		return TensorLinear
	}
	return TensorFloat
}

// IsLinear reports whether the named parameter is a projection weight
// (read through WeightSource.Linear) rather than a float tensor.
func IsLinear(name string) bool {
	switch {
	case name == "text_model.embeddings.token_embedding.weight":
		return false
	case name == "vision_model.head.attention.in_proj_weight", name == "vision_model.embeddings.patch_embedding.weight":
		return true
	}
	return hasSuffix(name, "_proj.weight") || hasSuffix(name, ".fc1.weight") || hasSuffix(name, ".fc2.weight") || name == "text_model.head.weight"
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }
