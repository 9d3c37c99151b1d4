package model

import (
	"fmt"

	"github.com/siglip-wasm/siglip-wasm/kernel"
)

// WeightSource supplies a model's parameters by their Hugging Face tensor
// names. Implementations: FromSafetensors (a HF model.safetensors),
// FormulaSource (the reference formula weights), Quantized (wraps another
// source, int8 linears), and weights.Source in package modelfile/weights
// (our single-file model format, int8/int4 used in place). Load calls a source from several goroutines at once, so
// implementations must be safe for concurrent use.
type WeightSource interface {
	// Float returns a float tensor (norm scales, biases, position
	// embeddings, the probe, logit scale/bias) with exactly this shape.
	// The result is only read.
	Float(name string, shape ...int) ([]float32, error)
	// Linear returns a projection weight in whatever form the source holds
	// it. shape is the HF shape: shape[0] = out features, the product of
	// the rest = in features (so the patch-embedding convolution weight
	// [hidden, C, p, p] is a Linear over (c, y, x)-ordered patch vectors).
	Linear(name string, shape ...int) (Linear, error)
	// Embedding returns the token-embedding table [vocab][hidden].
	Embedding(name string, vocab, hidden int) (Embedding, error)
}

// Linear is a projection y = x·Wᵀ + bias with W of shape [Out][In].
type Linear interface {
	In() int
	Out() int
	// Apply computes dst[m][Out] = src[m][In]·Wᵀ + bias (bias may be nil).
	// s is scratch memory for kernels that need it (grown on first use,
	// reused after); dst must not overlap src.
	Apply(dst, src []float32, m int, bias []float32, s *kernel.Scratch)
}

// Embedding is a lookup table of Vocab rows of Dim floats.
type Embedding interface {
	Vocab() int
	Dim() int
	// Row writes row id into dst[:Dim]; id must be in [0, Vocab).
	Row(id int, dst []float32)
}

// F32Linear is a float32 Linear over kernel.PackedF32.
type F32Linear struct{ W *kernel.PackedF32 }

// NewF32Linear packs the row-major weight w[out][in].
func NewF32Linear(w []float32, out, in int) (*F32Linear, error) {
	p, err := kernel.PackF32(w, out, in)
	if err != nil {
		return nil, err
	}
	return &F32Linear{p}, nil
}

func (l *F32Linear) In() int  { return l.W.K }
func (l *F32Linear) Out() int { return l.W.N }
func (l *F32Linear) Apply(dst, src []float32, m int, bias []float32, _ *kernel.Scratch) {
	kernel.MatMulF32(dst, src, m, l.W, bias)
}

// Q8Linear is an int8 Linear over kernel.PackedQ8 (per-output-row scales;
// activations quantized per row at run time, see kernel.MatMulQ8).
type Q8Linear struct{ W *kernel.PackedQ8 }

// QuantizeLinear quantizes the row-major float weight w[out][in]
// symmetrically per output row (kernel.QuantizeRow) and packs it.
func QuantizeLinear(w []float32, out, in int) (*Q8Linear, error) {
	if len(w) != out*in {
		return nil, fmt.Errorf("model: QuantizeLinear: %d values for %d×%d", len(w), out, in)
	}
	q := make([]int8, len(w))
	sc := make([]float32, out)
	for r := 0; r < out; r++ {
		sc[r] = kernel.QuantizeRow(q[r*in:(r+1)*in], w[r*in:(r+1)*in])
	}
	p, err := kernel.PackQ8(q, sc, out, in)
	if err != nil {
		return nil, err
	}
	return &Q8Linear{p}, nil
}

func (l *Q8Linear) In() int  { return l.W.K }
func (l *Q8Linear) Out() int { return l.W.N }
func (l *Q8Linear) Apply(dst, src []float32, m int, bias []float32, s *kernel.Scratch) {
	kernel.MatMulQ8(dst, src, m, l.W, bias, s)
}

// Q4Linear is a 4-bit Linear over kernel.PackedQ4 (blocks of 32 along the
// input, f16 scales; kernel.MatMulQ4), as q4 model files store them.
type Q4Linear struct{ W *kernel.PackedQ4 }

func (l *Q4Linear) In() int  { return l.W.K }
func (l *Q4Linear) Out() int { return l.W.N }
func (l *Q4Linear) Apply(dst, src []float32, m int, bias []float32, s *kernel.Scratch) {
	kernel.MatMulQ4(dst, src, m, l.W, bias, s)
}

// FloatEmbedding is a float32 table, row-major [Vocab][Dim].
type FloatEmbedding struct {
	Table []float32
	Width int
}

func (e *FloatEmbedding) Vocab() int { return len(e.Table) / e.Width }
func (e *FloatEmbedding) Dim() int   { return e.Width }
func (e *FloatEmbedding) Row(id int, dst []float32) {
	copy(dst[:e.Width], e.Table[id*e.Width:(id+1)*e.Width])
}

// linearDims checks a Linear's HF shape and returns (out, in).
func linearDims(name string, shape []int) (out, in int, err error) {
	if len(shape) < 2 {
		return 0, 0, fmt.Errorf("model: tensor %q: a linear weight needs at least 2 dimensions, got %v", name, shape)
	}
	in = 1
	for _, d := range shape[1:] {
		in *= d
	}
	return shape[0], in, nil
}

func numElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Quantized wraps a source so that every Linear except those named in
// keepFloat becomes an int8 Q8Linear, quantized per output row at load
// (for benchmarks and for converting a float model; the modelfile format
// stores int8 directly instead).
func Quantized(src WeightSource, keepFloat ...string) WeightSource {
	return quantized{src, keepFloat}
}

type quantized struct {
	WeightSource
	keep []string
}

func (q quantized) Linear(name string, shape ...int) (Linear, error) {
	for _, k := range q.keep {
		if k == name {
			return q.WeightSource.Linear(name, shape...)
		}
	}
	out, in, err := linearDims(name, shape)
	if err != nil {
		return nil, err
	}
	w, err := q.WeightSource.Float(name, shape...)
	if err != nil {
		return nil, err
	}
	return QuantizeLinear(w, out, in)
}
