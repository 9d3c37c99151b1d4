package modelfile

import (
	"fmt"
	"math"
	"strings"
)

// formulaSource generates testdata/REFDATA.md's formula weights on demand,
// with the shapes Specs gives for a config.
type formulaSource map[string][]int

func newFormulaSource(cfg []byte) (formulaSource, error) {
	specs, err := testSpecs(cfg)
	if err != nil {
		return nil, err
	}
	fs := formulaSource{}
	for _, s := range specs {
		fs[s.Name] = s.HFShape
	}
	return fs, nil
}

func (fs formulaSource) Tensor(name string) ([]int, []float32, error) {
	shape, ok := fs[name]
	if !ok {
		return nil, nil, fmt.Errorf("tensor %q is missing", name)
	}
	return shape, formulaWeights(name, numel(shape)), nil
}

func formulaWeights(name string, n int) []float32 {
	out := make([]float32, n)
	switch name {
	case "logit_scale":
		for i := range out {
			out[i] = float32(math.Log(10))
		}
		return out
	case "logit_bias":
		for i := range out {
			out[i] = -10
		}
		return out
	}
	offset, scale := 0.0, 0.05
	if (strings.Contains(name, "layer_norm") || strings.Contains(name, "layernorm")) && strings.HasSuffix(name, ".weight") {
		offset, scale = 1, 0.1
	} else if strings.HasSuffix(name, "bias") {
		offset, scale = 0, 0.02
	}
	seed := uint64(0xcbf29ce484222325)
	for _, c := range []byte(name) {
		seed ^= uint64(c)
		seed *= 0x100000001b3
	}
	for i := range out {
		z := seed + uint64(i+1)*0x9E3779B97F4A7C15
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		z = z ^ (z >> 31)
		u := float64(z>>11)*(1.0/(1<<53))*2 - 1
		out[i] = float32(offset + float64(scale*u))
	}
	return out
}
