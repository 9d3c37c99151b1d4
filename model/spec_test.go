package model

import (
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

// Load must read every tensor of TensorSpecs exactly once, as a Linear
// exactly when IsLinear says so: the contract a model-file writer relies on.
func TestLoadReadsEverySpecOnce(t *testing.T) {
	cfg := readConfig(t, "tiny")
	r := &recorder{WeightSource: FormulaSource{}, how: map[string]string{}}
	if _, err := Load(cfg, r); err != nil {
		t.Fatal(err)
	}
	specs := TensorSpecs(cfg)
	if len(r.how) != len(specs) {
		t.Errorf("Load read %d tensors, TensorSpecs lists %d", len(r.how), len(specs))
	}
	for _, s := range specs {
		want := "float"
		switch {
		case IsLinear(s.Name):
			want = "linear"
		case s.Name == "text_model.embeddings.token_embedding.weight":
			want = "embedding"
		}
		if got := r.how[s.Name]; got != want {
			t.Errorf("%s: read as %q, want %q", s.Name, got, want)
		}
	}
}
