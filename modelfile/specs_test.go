package modelfile

import "github.com/siglip-wasm/siglip-wasm/model"

// testSpecs is the model's tensor table for this package's tests (package
// modelfile/weights has the real adapter, weights.Specs; a test here cannot
// import it without a cycle, so this maps model.TensorSpecs the same way).
func testSpecs(cfgJSON []byte) ([]Spec, error) {
	cfg, err := model.ParseConfigJSON(cfgJSON)
	if err != nil {
		return nil, err
	}
	var out []Spec
	for _, t := range model.TensorSpecs(cfg) {
		kind := Float
		switch t.Kind {
		case model.TensorLinear:
			kind = Linear
		case model.TensorEmbedding:
			kind = Embedding
		}
		out = append(out, NewSpec(t.Name, t.Shape, kind))
	}
	return out, nil
}
