package modelfile

import "fmt"

// Kind says how a tensor is stored under the quantized schemes.
type Kind int

const (
	// Float tensors (norms, biases, position embeddings, the probe,
	// logit_scale, logit_bias) are always stored as F32.
	Float Kind = iota
	// Linear weights W[N][K] (out × in) are quantized per output row (q8)
	// or per block of 32 along K (q4). The patch embedding is one, seen as
	// [hidden, channels·patch·patch].
	Linear
	// Embedding is the token table [vocab][hidden]: quantized like a
	// Linear weight, but q8 keeps it row-major so a row can be gathered.
	Embedding
)

func (k Kind) String() string {
	switch k {
	case Linear:
		return "linear"
	case Embedding:
		return "embedding"
	}
	return "float"
}

// Spec is one tensor the model needs: its Hugging Face name, its shape as
// Hugging Face stores it (HFShape) and, for Linear and Embedding, the
// matrix view N×K the file and the kernels use.
type Spec struct {
	Name    string
	Kind    Kind
	HFShape []int
	N, K    int // Linear / Embedding only
}

// SpecsFunc returns the tensors a model with this config.json has, in a
// fixed order (the order of the file's tensors within each group). The
// caller supplies it — package modelfile/weights hands over model.TensorSpecs
// (weights.Specs) — so the SigLIP tensor table is written once, in package
// model, and modelfile stays free of it.
type SpecsFunc func(cfgJSON []byte) ([]Spec, error)

// NewSpec describes one tensor by its Hugging Face name and shape. A Linear
// or Embedding is seen as the matrix N×K with N = shape[0] and K the
// product of the other dimensions (the patch embedding [hidden, C, p, p]
// as hidden × C·p·p).
func NewSpec(name string, shape []int, kind Kind) Spec {
	s := Spec{Name: name, Kind: kind, HFShape: shape}
	if kind != Float && len(shape) > 0 {
		s.N, s.K = shape[0], numel(shape[1:])
	}
	return s
}

// tableFor runs specs on a config and checks the table it returns.
func tableFor(specs SpecsFunc, cfgJSON []byte) ([]Spec, error) {
	if specs == nil {
		return nil, fmt.Errorf("modelfile: no tensor table given (weights.Specs)")
	}
	table, err := specs(cfgJSON)
	if err != nil {
		return nil, err
	}
	return table, checkSpecs(table)
}

// checkSpecs refuses a table a file cannot hold: empty, a repeated name,
// a non-positive dimension, a matrix without two dimensions, or sizes
// beyond what a model file is for (2³¹ elements a tensor).
func checkSpecs(specs []Spec) error {
	if len(specs) == 0 {
		return fmt.Errorf("modelfile: the model's tensor table is empty")
	}
	seen := map[string]bool{}
	for _, s := range specs {
		if seen[s.Name] {
			return fmt.Errorf("modelfile: tensor %q is listed twice", s.Name)
		}
		seen[s.Name] = true
		n := 1
		for _, d := range s.HFShape {
			if d <= 0 || d > 1<<31 {
				return fmt.Errorf("modelfile: tensor %q has shape %v", s.Name, s.HFShape)
			}
			n *= d
			if n > 1<<31 {
				return fmt.Errorf("modelfile: tensor %q (shape %v) is too large", s.Name, s.HFShape)
			}
		}
		if s.Kind != Float && (len(s.HFShape) < 2 || s.N*s.K != n) {
			return fmt.Errorf("modelfile: %s tensor %q has shape %v", s.Kind, s.Name, s.HFShape)
		}
	}
	return nil
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
