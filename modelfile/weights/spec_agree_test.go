package weights

import (
	"os"
	"slices"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// modelfile keeps its own list of a SigLIP's tensors (it must not import
// model, which knows nothing of files). This test keeps the two lists — and
// the two readings of config.json defaults — identical, tensor by tensor.
func TestSpecsAgreeWithModel(t *testing.T) {
	for _, rel := range []string{"tiny/config.json", "full/config.json", "large/config.json", "demo/model/config.json"} {
		cfgJSON, err := os.ReadFile(refdata.Path(rel))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := model.ParseConfigJSON(cfgJSON)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]int{}
		for _, s := range model.TensorSpecs(cfg) {
			want[s.Name] = s.Shape
		}
		specs, err := modelfile.Specs(cfgJSON)
		if err != nil {
			t.Fatal(err)
		}
		if len(specs) != len(want) {
			t.Errorf("%s: modelfile lists %d tensors, model %d", rel, len(specs), len(want))
		}
		for _, s := range specs {
			shape, ok := want[s.Name]
			if !ok {
				t.Errorf("%s: modelfile lists %q, which the model does not use", rel, s.Name)
				continue
			}
			if !slices.Equal(shape, s.HFShape) {
				t.Errorf("%s: %q: modelfile shape %v, model %v", rel, s.Name, s.HFShape, shape)
			}
			if (s.Kind == modelfile.Linear) != model.IsLinear(s.Name) {
				t.Errorf("%s: %q: modelfile kind %v, model.IsLinear %v", rel, s.Name, s.Kind, model.IsLinear(s.Name))
			}
		}
	}
}
