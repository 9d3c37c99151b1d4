package weights

import (
	"os"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// The file's tensor table is the model's (one table, model.TensorSpecs):
// same names in the same order, each Linear seen as out × in (the patch
// embedding as hidden × C·p·p), the token table the one Embedding.
func TestSpecsAreTheModelsTable(t *testing.T) {
	for _, rel := range []string{"tiny/config.json", "full/config.json", "large/config.json", "demo/model/config.json"} {
		cfgJSON, err := os.ReadFile(refdata.Path(rel))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := model.ParseConfigJSON(cfgJSON)
		if err != nil {
			t.Fatal(err)
		}
		specs, err := Specs(cfgJSON)
		if err != nil {
			t.Fatal(err)
		}
		ts := model.TensorSpecs(cfg)
		if len(specs) != len(ts) {
			t.Fatalf("%s: %d file specs for %d model tensors", rel, len(specs), len(ts))
		}
		embeddings := 0
		for i, s := range specs {
			if s.Name != ts[i].Name {
				t.Fatalf("%s: spec %d is %q, model's is %q", rel, i, s.Name, ts[i].Name)
			}
			if s.Kind == modelfile.Embedding {
				embeddings++
			}
			if s.Kind != modelfile.Float && s.N*s.K != numel(ts[i].Shape) {
				t.Errorf("%s: %s is %d×%d for shape %v", rel, s.Name, s.N, s.K, ts[i].Shape)
			}
		}
		v := cfg.VisionConfig
		for _, s := range specs {
			if s.Name == "vision_model.embeddings.patch_embedding.weight" && (s.Kind != modelfile.Linear || s.N != v.HiddenSize || s.K != v.NumChannels*v.PatchSize*v.PatchSize) {
				t.Errorf("%s: patch embedding spec %+v", rel, s)
			}
		}
		if embeddings != 1 {
			t.Errorf("%s: %d embeddings, want the token table alone", rel, embeddings)
		}
	}
	if _, err := Specs([]byte(`{"model_type":"clip"}`)); err == nil {
		t.Error("a non-SigLIP config gave a table")
	}
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
