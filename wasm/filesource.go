//go:build siglip_engine

// Built only with -tags siglip_engine until model/, modelfile/, tokenizer/
// and imageproc/ are on main; then the tag goes.

package main

import (
	"fmt"

	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// fileSource serves an opened model file as a model.WeightSource, keeping
// every weight in the form the file stores it: q8 panels are used in place
// (zero-copy), f32 is packed, f16 is widened once, q4 runs on MatMulQ4.
//
// TODO(lead): this adapter belongs in model/ (model may import modelfile);
// it lives here until it lands there.
type fileSource struct{ f *modelfile.File }

func (s fileSource) Float(name string, shape ...int) ([]float32, error) {
	v, err := s.f.Float32s(name)
	if err != nil {
		return nil, err
	}
	if n := product(shape); len(v) != n {
		return nil, fmt.Errorf("model file: tensor %s has %d values, the config implies %v", name, len(v), shape)
	}
	return v, nil
}

func (s fileSource) Linear(name string, shape ...int) (model.Linear, error) {
	w, err := s.f.Weight(name)
	if err != nil {
		return nil, err
	}
	out, in := shape[0], product(shape[1:])
	if w.N != out || w.K != in {
		return nil, fmt.Errorf("model file: weight %s is %dx%d, the config implies %dx%d", name, w.N, w.K, out, in)
	}
	switch {
	case w.Q8 != nil:
		return &model.Q8Linear{W: w.Q8}, nil
	case w.Q4 != nil:
		return q4Linear{w.Q4}, nil
	default: // f32 (a view) or f16 (widened)
		return model.NewF32Linear(w.Float32(), out, in)
	}
}

func (s fileSource) Embedding(name string, vocab, hidden int) (model.Embedding, error) {
	w, err := s.f.Weight(name)
	if err != nil {
		return nil, err
	}
	if w.N != vocab || w.K != hidden {
		return nil, fmt.Errorf("model file: embedding %s is %dx%d, the config implies %dx%d", name, w.N, w.K, vocab, hidden)
	}
	return rowEmbedding{w}, nil
}

type q4Linear struct{ w *kernel.PackedQ4 }

func (l q4Linear) In() int  { return l.w.K }
func (l q4Linear) Out() int { return l.w.N }
func (l q4Linear) Apply(dst, src []float32, m int, bias []float32, _ *kernel.Scratch) {
	kernel.MatMulQ4(dst, src, m, l.w, bias)
}

// rowEmbedding gathers one (dequantized) row per token; the table is never
// widened to float32.
type rowEmbedding struct{ w *modelfile.Weight }

func (e rowEmbedding) Vocab() int                 { return e.w.N }
func (e rowEmbedding) Dim() int                   { return e.w.K }
func (e rowEmbedding) Row(id int, dst []float32) { e.w.Row(id, dst) }

func product(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}
