package model

import (
	"runtime"
	"strings"
	"sync"
)

// The formula weights of testdata/REFDATA.md: every parameter is a pure
// function of its HF name, so any configuration's weights can be rebuilt
// bit-exactly without shipping them.

func fnv1a64(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return h
}

// formulaRule returns the offset and scale of the named tensor.
func formulaRule(name string) (offset, scale float64) {
	switch {
	case name == "logit_scale":
		return 2.302585092994046, 0 // log(10)
	case name == "logit_bias":
		return -10, 0
	case (strings.Contains(name, "layer_norm") || strings.Contains(name, "layernorm")) && strings.HasSuffix(name, ".weight"):
		return 1, 0.1
	case strings.HasSuffix(name, "bias"):
		return 0, 0.02
	}
	return 0, 0.05
}

// FormulaFill writes the formula weights of the named tensor into dst
// (len(dst) = its element count), in parallel for large tensors.
func FormulaFill(dst []float32, name string) {
	seed := fnv1a64(name)
	offset, scale := formulaRule(name)
	const chunk = 1 << 20
	procs := runtime.GOMAXPROCS(0)
	if len(dst) < 2*chunk || procs == 1 {
		formulaRange(dst, seed, offset, scale, 0)
		return
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, procs)
	for lo := 0; lo < len(dst); lo += chunk {
		hi := min(lo+chunk, len(dst))
		wg.Add(1)
		sem <- struct{}{}
		go func(lo, hi int) {
			defer wg.Done()
			formulaRange(dst[lo:hi], seed, offset, scale, lo)
			<-sem
		}(lo, hi)
	}
	wg.Wait()
}

func formulaRange(dst []float32, seed uint64, offset, scale float64, first int) {
	for i := range dst {
		z := seed + uint64(first+i+1)*0x9E3779B97F4A7C15
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		z ^= z >> 31
		u := float64(z>>11)*(1.0/(1<<53))*2 - 1
		// The explicit conversion keeps scale·u a separate rounding (no FMA).
		dst[i] = float32(offset + float64(scale*u))
	}
}

// FormulaTensor returns the named tensor's formula weights.
func FormulaTensor(name string, shape ...int) []float32 {
	n := 1
	for _, d := range shape {
		n *= d
	}
	out := make([]float32, n)
	FormulaFill(out, name)
	return out
}

// FormulaSource is a WeightSource that generates every tensor from the
// formula (for the full/large reference architectures, which ship no
// weights). It is safe for concurrent use.
type FormulaSource struct{}

// Float implements WeightSource.
func (FormulaSource) Float(name string, shape ...int) ([]float32, error) {
	return FormulaTensor(name, shape...), nil
}

// Linear implements WeightSource.
func (FormulaSource) Linear(name string, shape ...int) (Linear, error) {
	out, in, err := linearDims(name, shape)
	if err != nil {
		return nil, err
	}
	return NewF32Linear(FormulaTensor(name, shape...), out, in)
}

// Embedding implements WeightSource.
func (FormulaSource) Embedding(name string, vocab, hidden int) (Embedding, error) {
	return &FloatEmbedding{Table: FormulaTensor(name, vocab, hidden), Width: hidden}, nil
}
