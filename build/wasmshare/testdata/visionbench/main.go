// visionbench times google/siglip-base-patch16-256's vision tower (formula
// weights, int8 linears by default) on one image, for the threads
// benchmark in headless Chromium (build/tests/threads_chromium.test.mjs):
// the page sets globalThis.benchConfig (config.json's text) and
// benchRuns; the program prints one line per run, "run ms".
package main

import (
	"fmt"
	"math"
	"os"
	"syscall/js"
	"time"

	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/model"
)

func main() {
	cfg, err := model.ParseConfigJSON([]byte(js.Global().Get("benchConfig").String()))
	if err != nil {
		fmt.Println("config:", err)
		os.Exit(1)
	}
	var src model.WeightSource = model.FormulaSource{}
	if js.Global().Get("benchF32").Truthy() {
		fmt.Println("scheme f32")
	} else {
		src = model.Quantized(src)
		fmt.Println("scheme q8")
	}
	m, err := model.Load(cfg, src)
	if err != nil {
		fmt.Println("load:", err)
		os.Exit(1)
	}
	p, err := m.NewPlan(1, 0)
	if err != nil {
		fmt.Println("plan:", err)
		os.Exit(1)
	}
	v := cfg.VisionConfig
	px := make([]float32, 3*v.ImageSize*v.ImageSize)
	for i := range px {
		px[i] = float32(math.Sin(float64(i) * 0.01))
	}
	fmt.Println("simd", kernel.SIMD())
	runs := js.Global().Get("benchRuns").Int()
	for i := 0; i <= runs; i++ {
		t0 := time.Now()
		out, err := p.Images(px, 1)
		if err != nil {
			fmt.Println("images:", err)
			os.Exit(1)
		}
		if i > 0 { // the first run warms up
			fmt.Printf("run %.1f ms %v\n", float64(time.Since(t0).Microseconds())/1000, out[0])
		}
	}
}
