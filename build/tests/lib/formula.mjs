// makeFormulaModelFile writes a model file at a reference architecture's
// real shapes (testdata/DIR/config.json) with the formula weights
// (model.FormulaTensor) and the XLNet 32k vocabulary, through package
// modelfile (a throwaway main in tmp, run inside this module). q4's
// Linear weights are rounded against one absmax scale per block (q4_method
// "absmax"): GPTQ, or RoundQ4's scale search, would take many minutes at
// these shapes, and a file's memory does not depend on how its 4-bit
// values were chosen. For the tests that need a big model and cannot
// download one.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './tiny.mjs';

export function makeFormulaModelFile(tmp, dir, scheme, out) {
  const src = path.join(tmp, 'mkformula');
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(path.join(src, 'main.go'), `package main

import (
	"bufio"
	"fmt"
	"math"
	"os"

	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/x448/float16"
)

func absmaxQ4(name string, w []float32, n, k int) ([]byte, []uint16, error) {
	nb := (k + kernel.Q4Block - 1) / kernel.Q4Block
	q := make([]int8, n*k)
	scales := make([]uint16, n*nb)
	for r := 0; r < n; r++ {
		for b := 0; b < nb; b++ {
			lo, hi := r*k+b*kernel.Q4Block, r*k+min((b+1)*kernel.Q4Block, k)
			var amax float32
			for _, v := range w[lo:hi] {
				amax = max(amax, float32(math.Abs(float64(v))))
			}
			h := float16.Fromfloat32(amax / 7)
			scales[r*nb+b] = uint16(h)
			if d := h.Float32(); d != 0 {
				for i := lo; i < hi; i++ {
					q[i] = int8(max(-8, min(7, math.RoundToEven(float64(w[i]/d)))))
				}
			}
		}
	}
	return modelfile.PackQ4(q, n, k), scales, nil
}

type formula map[string][]int

func (f formula) Tensor(name string) ([]int, []float32, error) {
	shape, ok := f[name]
	if !ok {
		return nil, nil, fmt.Errorf("no tensor %q", name)
	}
	return shape, model.FormulaTensor(name, shape...), nil
}

func main() {
	cfg, err := os.ReadFile(os.Args[1])
	check(err)
	tok, err := os.ReadFile(os.Args[2])
	check(err)
	specs, err := weights.Specs(cfg)
	check(err)
	src := formula{}
	for _, s := range specs {
		src[s.Name] = s.HFShape
	}
	f, err := os.Create(os.Args[4])
	check(err)
	w := bufio.NewWriterSize(f, 1<<20)
	opt := modelfile.Options{}
	if os.Args[3] == modelfile.SchemeQ4 {
		opt = modelfile.Options{Q4: absmaxQ4, Q4Method: "absmax"}
	}
	check(modelfile.WriteOptions(w, weights.Specs, cfg, tok, "spiece.model", src, os.Args[3], opt))
	check(w.Flush())
	check(f.Close())
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
`);
  execFileSync('go', ['run', path.join(src, 'main.go'), path.join(root, 'testdata', dir, 'config.json'),
    path.join(root, 'testdata/tokenizer/xlnet-base-cased-spiece.model'), scheme, out], { cwd: root, stdio: 'inherit' });
  return out;
}
