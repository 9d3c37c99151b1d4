package model

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/siglip-wasm/siglip-wasm/kernel"
)

// TensorKind says how Load reads a parameter: Float, Linear or Embedding.
type TensorKind int

const (
	// TensorFloat is read with WeightSource.Float (norms, biases, position
	// embeddings, the probe, logit_scale, logit_bias).
	TensorFloat TensorKind = iota
	// TensorLinear is read with WeightSource.Linear: a projection weight
	// [out][in...] (the patch embedding as [hidden][C·p·p]).
	TensorLinear
	// TensorEmbedding is the token table, read with WeightSource.Embedding.
	TensorEmbedding
)

// TensorSpec names one parameter tensor, its HF shape and how Load reads it.
type TensorSpec struct {
	Name  string
	Shape []int
	Kind  TensorKind
}

// TensorSpecs lists every parameter tensor a SigLIP model of this
// configuration has, with HF names and shapes and how Load reads each: what
// a converter must write and what Load reads. It is recorded from Load
// itself (run on a source that hands out placeholders), so the tensor
// names are written once, in the towers' loaders, and the table cannot
// disagree with them. Order: by name, segment by segment, layer numbers
// numerically (logit_*, text_model.*, vision_model.*). A configuration
// Load refuses has no table (nil).
func TensorSpecs(c Config) []TensorSpec {
	r := &tableRecorder{}
	if _, err := Load(c, r); err != nil {
		return nil
	}
	slices.SortFunc(r.specs, func(a, b TensorSpec) int { return compareNames(a.Name, b.Name) })
	return r.specs
}

// tableRecorder is the WeightSource TensorSpecs loads from: it notes each
// request and answers with zeros (floats) or shape-only placeholders.
type tableRecorder struct {
	mu    sync.Mutex
	specs []TensorSpec
}

func (r *tableRecorder) note(name string, shape []int, kind TensorKind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.specs = append(r.specs, TensorSpec{name, slices.Clone(shape), kind})
}

func (r *tableRecorder) Float(name string, shape ...int) ([]float32, error) {
	r.note(name, shape, TensorFloat)
	return make([]float32, numElements(shape)), nil
}

func (r *tableRecorder) Linear(name string, shape ...int) (Linear, error) {
	out, in, err := linearDims(name, shape)
	if err != nil {
		return nil, err
	}
	r.note(name, shape, TensorLinear)
	return placeholderLinear{out, in}, nil
}

func (r *tableRecorder) Embedding(name string, vocab, hidden int) (Embedding, error) {
	r.note(name, []int{vocab, hidden}, TensorEmbedding)
	return placeholderEmbedding{vocab, hidden}, nil
}

type placeholderLinear struct{ out, in int }

func (l placeholderLinear) In() int                                                   { return l.in }
func (l placeholderLinear) Out() int                                                  { return l.out }
func (placeholderLinear) Apply(_, _ []float32, _ int, _ []float32, _ *kernel.Scratch) {}

type placeholderEmbedding struct{ vocab, dim int }

func (e placeholderEmbedding) Vocab() int       { return e.vocab }
func (e placeholderEmbedding) Dim() int         { return e.dim }
func (placeholderEmbedding) Row(int, []float32) {}

// compareNames orders dotted tensor names segment by segment, numeric
// segments (layer indices) by value.
func compareNames(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		x, errA := strconv.Atoi(as[i])
		y, errB := strconv.Atoi(bs[i])
		if errA == nil && errB == nil {
			return cmp.Compare(x, y)
		}
		return strings.Compare(as[i], bs[i])
	}
	return cmp.Compare(len(as), len(bs))
}
