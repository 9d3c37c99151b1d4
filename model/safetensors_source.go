package model

import (
	"fmt"

	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// FromSafetensors is a WeightSource over a parsed HF model.safetensors
// (F32, F16 or BF16 tensors). Linears are packed into float32 panels (a
// copy); F32 floats and embeddings alias the file's bytes when aligned, so
// the buffer must outlive the model and must not be modified.
func FromSafetensors(f *safetensors.File) WeightSource {
	return floatSource(func(name string, shape []int) ([]float32, error) { return safetensorsTensor(f, name, shape) })
}

// safetensorsTensor is f's tensor name as float32, checked against shape.
func safetensorsTensor(f *safetensors.File, name string, shape []int) ([]float32, error) {
	t, ok := f.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("model: weights have no tensor %q (want shape %v)", name, shape)
	}
	if !sameShape(t.Shape, shape) {
		return nil, fmt.Errorf("model: tensor %q has shape %v, want %v", name, t.Shape, shape)
	}
	switch t.DType {
	case safetensors.F32, safetensors.F16, safetensors.BF16:
	default:
		return nil, fmt.Errorf("model: tensor %q has dtype %s, want F32, F16 or BF16", name, t.DType)
	}
	v, err := t.Float32s()
	if err != nil {
		return nil, fmt.Errorf("model: %v", err)
	}
	return v, nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TensorFunc serves float tensors by name: shape and row-major values, or
// an error naming the tensor (a modelfile.Source's Tensor method).
type TensorFunc func(name string) (shape []int, data []float32, err error)

// FromTensors is a WeightSource over f, for weights not held in one
// safetensors file (the CLI's sharded snapshots, served as one Source).
// Linears are packed into float32 panels (a copy); floats and embeddings
// are f's slices, which must outlive the model.
func FromTensors(f TensorFunc) WeightSource {
	return floatSource(func(name string, shape []int) ([]float32, error) {
		got, v, err := f(name)
		if err != nil {
			return nil, fmt.Errorf("model: %v", err)
		}
		if !sameShape(got, shape) {
			return nil, fmt.Errorf("model: tensor %q has shape %v, want %v", name, got, shape)
		}
		return v, nil
	})
}

// floatSource is a WeightSource over a lookup of float tensors by name,
// checked against the shape asked for (FromSafetensors, FromTensors): the
// Linears are packed into float32 panels, floats and embeddings are the
// lookup's slices.
type floatSource func(name string, shape []int) ([]float32, error)

func (s floatSource) Float(name string, shape ...int) ([]float32, error) { return s(name, shape) }

func (s floatSource) Linear(name string, shape ...int) (Linear, error) {
	out, in, err := linearDims(name, shape)
	if err != nil {
		return nil, err
	}
	w, err := s(name, shape)
	if err != nil {
		return nil, err
	}
	return NewF32Linear(w, out, in)
}

func (s floatSource) Embedding(name string, vocab, hidden int) (Embedding, error) {
	w, err := s(name, []int{vocab, hidden})
	if err != nil {
		return nil, err
	}
	return &FloatEmbedding{Table: w, Width: hidden}, nil
}
