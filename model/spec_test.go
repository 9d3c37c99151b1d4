package model

import (
	"slices"
	"sync"
	"testing"
)

// recorder notes how Load asks for each tensor.
type recorder struct {
	WeightSource
	mu  sync.Mutex
	how map[string]string
}

func (r *recorder) note(name, how string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.how[name]; ok {
		how = prev + "+" + how
	}
	r.how[name] = how
}

func (r *recorder) Float(name string, shape ...int) ([]float32, error) {
	r.note(name, "float")
	return r.WeightSource.Float(name, shape...)
}

func (r *recorder) Linear(name string, shape ...int) (Linear, error) {
	r.note(name, "linear")
	return r.WeightSource.Linear(name, shape...)
}

func (r *recorder) Embedding(name string, vocab, hidden int) (Embedding, error) {
	r.note(name, "embedding")
	return r.WeightSource.Embedding(name, vocab, hidden)
}

// Load must read every tensor of TensorSpecs exactly once, as the kind the
// table says: the contract a model-file writer relies on. The table's size
// is checked against SiglipModel's state dict, counted independently: 2
// logit tensors; text: token and position embeddings, 16 per layer, final
// norm (2), head (2); vision: patch embedding (2), positions, 16 per layer,
// post norm (2), pooling head (11).
func TestLoadReadsEverySpecOnce(t *testing.T) {
	cfg := readConfig(t, "tiny")
	r := &recorder{WeightSource: FormulaSource{}, how: map[string]string{}}
	if _, err := Load(cfg, r); err != nil {
		t.Fatal(err)
	}
	specs := TensorSpecs(cfg)
	tl, vl := cfg.TextConfig.NumHiddenLayers, cfg.VisionConfig.NumHiddenLayers
	if want := 2 + (2 + 16*tl + 4) + (3 + 16*vl + 2 + 11); len(specs) != want {
		t.Errorf("TensorSpecs lists %d tensors, SiglipModel has %d", len(specs), want)
	}
	if len(r.how) != len(specs) {
		t.Errorf("Load read %d tensors, TensorSpecs lists %d", len(r.how), len(specs))
	}
	kinds := map[TensorKind]string{TensorFloat: "float", TensorLinear: "linear", TensorEmbedding: "embedding"}
	for _, s := range specs {
		if got := r.how[s.Name]; got != kinds[s.Kind] {
			t.Errorf("%s: read as %q, the table says %q", s.Name, got, kinds[s.Kind])
		}
	}
	for name, kind := range map[string]TensorKind{"vision_model.head.attention.in_proj_weight": TensorLinear,
		"vision_model.embeddings.patch_embedding.weight": TensorLinear, "text_model.embeddings.token_embedding.weight": TensorEmbedding,
		"text_model.head.weight": TensorLinear, "vision_model.head.probe": TensorFloat} {
		i := slices.IndexFunc(specs, func(s TensorSpec) bool { return s.Name == name })
		if i < 0 || specs[i].Kind != kind {
			t.Errorf("%s: not in the table as %s", name, kinds[kind])
		}
	}
	// Deterministic order (the file's): twice the same.
	if again := TensorSpecs(cfg); !slices.EqualFunc(again, specs, func(a, b TensorSpec) bool { return a.Name == b.Name }) {
		t.Error("TensorSpecs order differs between calls")
	}
}
