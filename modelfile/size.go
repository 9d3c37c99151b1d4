package modelfile

import "github.com/siglip-wasm/siglip-wasm/kernel"

// TensorBytes is how many bytes of the data section tensor s takes under
// scheme (including its .scale tensor), exactly as Write stores it: so a
// file's size is known from its tensor table without writing it.
func TensorBytes(s Spec, scheme string, opt Options) int64 {
	n, k := int64(s.N), int64(s.K)
	if s.Kind == Float || scheme == SchemeF32 {
		return 4 * int64(numel(s.HFShape))
	}
	scale := int64(4)
	if opt.Q8ScaleF16 {
		scale = 2
	}
	q8 := func() int64 {
		if s.Kind == Embedding {
			return n*k + n*scale
		}
		pr := int64(kernel.PanelRows)
		return (n+pr-1)/pr*pr*((k+1)/2)*2 + n*scale
	}
	switch {
	case scheme == SchemeF16:
		return 2 * n * k
	case scheme == SchemeQ8, scheme == SchemeQ4 && s.Kind == Linear && Q4KeepsQ8(s.Name):
		return q8()
	case scheme == SchemeQ4:
		nb := (k + kernel.Q4Block - 1) / kernel.Q4Block
		return n*nb*16 + 2*n*nb
	}
	return 0
}

// WeightBytes is the sum of TensorBytes over a table: a file's data
// section less its config and tokenizer.
func WeightBytes(specs []Spec, scheme string, opt Options) int64 {
	var t int64
	for _, s := range specs {
		t += TensorBytes(s, scheme, opt)
	}
	return t
}
