package weights

import (
	"fmt"
	"slices"

	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// Load opens a model file (verifying it, see modelfile.Open) and builds the
// model from it. data must outlive the model and must not be modified: the
// quantized weights are views into it.
func Load(data []byte) (*model.Model, *modelfile.File, error) {
	f, err := Open(data)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := model.ParseConfigJSON(f.Config())
	if err != nil {
		return nil, nil, err
	}
	m, err := model.Load(cfg, Source(f))
	if err != nil {
		return nil, nil, err
	}
	return m, f, nil
}

// Source serves f's tensors to model.Load. It is safe for concurrent use.
func Source(f *modelfile.File) model.WeightSource { return source{f} }

type source struct{ f *modelfile.File }

func (s source) spec(name string, kind modelfile.Kind) (modelfile.Spec, error) {
	sp, ok := s.f.Spec(name)
	if !ok {
		return sp, fmt.Errorf("modelfile: the model asks for tensor %q, which its config.json does not imply", name)
	}
	if sp.Kind != kind {
		return sp, fmt.Errorf("modelfile: tensor %q is stored as a %s tensor, the model asks for a %s", name, sp.Kind, kind)
	}
	return sp, nil
}

func (s source) Float(name string, shape ...int) ([]float32, error) {
	sp, err := s.spec(name, modelfile.Float)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(sp.HFShape, shape) {
		return nil, fmt.Errorf("modelfile: tensor %q has shape %v, the model wants %v", name, sp.HFShape, shape)
	}
	return s.f.Float32s(name)
}

func (s source) Linear(name string, shape ...int) (model.Linear, error) {
	sp, err := s.spec(name, modelfile.Linear)
	if err != nil {
		return nil, err
	}
	in := 1
	for _, d := range shape[min(1, len(shape)):] {
		in *= d
	}
	if len(shape) < 2 || shape[0] != sp.N || in != sp.K {
		return nil, fmt.Errorf("modelfile: linear %q is %d×%d, the model wants %v", name, sp.N, sp.K, shape)
	}
	w, err := s.f.Weight(name)
	if err != nil {
		return nil, err
	}
	switch {
	case w.Q8 != nil:
		return &model.Q8Linear{W: w.Q8}, nil
	case w.Q4 != nil:
		return &model.Q4Linear{W: w.Q4}, nil
	default: // f32 views, f16 widened
		return model.NewF32Linear(w.Float32(), w.N, w.K)
	}
}

func (s source) Embedding(name string, vocab, hidden int) (model.Embedding, error) {
	sp, err := s.spec(name, modelfile.Embedding)
	if err != nil {
		return nil, err
	}
	if sp.N != vocab || sp.K != hidden {
		return nil, fmt.Errorf("modelfile: embedding %q is %d×%d, the model wants %d×%d", name, sp.N, sp.K, vocab, hidden)
	}
	w, err := s.f.Weight(name)
	if err != nil {
		return nil, err
	}
	if w.F32 != nil {
		return &model.FloatEmbedding{Table: w.F32, Width: hidden}, nil
	}
	return w, nil // one row dequantized per lookup (Weight.Row); the table stays as stored
}
