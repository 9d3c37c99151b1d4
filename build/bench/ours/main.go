//go:build js && wasm

// Command ours is our side of `go run ./build bench`: the model package's
// towers on google/siglip-base-patch16-256's architecture with formula
// weights (int8 or float32 linears), fed the exact tensors onnxruntime-web
// gets (pixel_values, input_ids) — no image decoding or tokenizing, so both
// sides time the same tower. build/bench/ours_worker.mjs runs it in a Worker
// with the kernels split over kernel workers (web/threads/).
//
// It installs globalThis.siglipBench = {setup, run, output}:
//
//	setup(tower, scheme, configJSON, input) → "" or an error message
//	run() → "" or an error message (one forward pass)
//	output() → Float32Array: the last pooled embedding
package main

import (
	"fmt"
	"syscall/js"

	"github.com/siglip-wasm/siglip-wasm/model"
)

type bench struct {
	plan   *model.Plan
	tower  string
	pixels []float32
	ids    []int32
	out    []float32
}

func (b *bench) setup(tower, scheme, config string, input js.Value) error {
	cfg, err := model.ParseConfigJSON([]byte(config))
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var src model.WeightSource = model.FormulaSource{}
	switch scheme {
	case "q8":
		src = model.Quantized(src)
	case "f32":
	default:
		return fmt.Errorf("unknown scheme %q", scheme)
	}
	m, err := model.Load(cfg, src)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	b.tower = tower
	switch tower {
	case "vision":
		b.pixels = make([]float32, input.Length())
		for i := range b.pixels { // Float32Array → []float32 without a byte view
			b.pixels[i] = float32(input.Index(i).Float())
		}
		b.plan, err = m.NewPlan(1, 0)
	case "text":
		b.ids = make([]int32, input.Length())
		for i := range b.ids {
			b.ids[i] = int32(input.Index(i).Int())
		}
		b.plan, err = m.NewPlan(0, 1)
	default:
		return fmt.Errorf("unknown tower %q", tower)
	}
	return err
}

func (b *bench) run() error {
	if b.plan == nil {
		return fmt.Errorf("run before setup")
	}
	var err error
	if b.tower == "vision" {
		b.out, err = b.plan.Images(b.pixels, 1)
	} else {
		b.out, err = b.plan.Texts(b.ids, 1)
	}
	return err
}

func errString(err error) any {
	if err != nil {
		return err.Error()
	}
	return ""
}

func main() {
	b := &bench{}
	api := js.Global().Get("Object").New()
	api.Set("setup", js.FuncOf(func(_ js.Value, a []js.Value) any {
		return errString(b.setup(a[0].String(), a[1].String(), a[2].String(), a[3]))
	}))
	api.Set("run", js.FuncOf(func(_ js.Value, _ []js.Value) any { return errString(b.run()) }))
	api.Set("output", js.FuncOf(func(_ js.Value, _ []js.Value) any {
		f := js.Global().Get("Float32Array").New(len(b.out))
		for i, v := range b.out {
			f.SetIndex(i, v)
		}
		return f
	}))
	js.Global().Set("siglipBench", api)
	if ready := js.Global().Get("siglipBenchReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}
