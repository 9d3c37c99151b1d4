package weights

import (
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// Specs is the model file's tensor table for a config.json: the model's
// own (model.TensorSpecs, the one place the SigLIP tensor names and shapes
// are written), in modelfile's terms. Pass it to modelfile.Open and
// modelfile.Write.
func Specs(cfgJSON []byte) ([]modelfile.Spec, error) {
	cfg, err := model.ParseConfigJSON(cfgJSON)
	if err != nil {
		return nil, err
	}
	return FileSpecs(cfg), nil
}

// FileSpecs is Specs for a parsed configuration.
func FileSpecs(cfg model.Config) []modelfile.Spec {
	ts := model.TensorSpecs(cfg)
	out := make([]modelfile.Spec, len(ts))
	for i, t := range ts {
		kind := modelfile.Float
		switch t.Kind {
		case model.TensorLinear:
			kind = modelfile.Linear
		case model.TensorEmbedding:
			kind = modelfile.Embedding
		}
		out[i] = modelfile.NewSpec(t.Name, t.Shape, kind)
	}
	return out
}

// Open is modelfile.Open with the model's tensor table.
func Open(data []byte) (*modelfile.File, error) { return modelfile.Open(data, Specs) }
