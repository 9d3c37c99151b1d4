package modelfile

import (
	"fmt"

	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// Source supplies the float weights a file is written from, by Hugging Face
// name and shape. Implementations may generate tensors on demand (the
// tests' formula weights do) so a converter never holds two float copies.
type Source interface {
	// Tensor returns the named tensor's shape and row-major values, or an
	// error naming the tensor when it is missing or not a float tensor.
	Tensor(name string) (shape []int, data []float32, err error)
}

// FromSafetensors serves a Hugging Face model.safetensors (F32, F16 or
// BF16 tensors) as a Source.
func FromSafetensors(f *safetensors.File) Source { return stSource{f} }

type stSource struct{ f *safetensors.File }

func (s stSource) Tensor(name string) ([]int, []float32, error) {
	t, ok := s.f.Tensor(name)
	if !ok {
		return nil, nil, fmt.Errorf("tensor %q is missing from the checkpoint", name)
	}
	v, err := t.Float32s()
	if err != nil {
		return nil, nil, err
	}
	return t.Shape, v, nil
}
