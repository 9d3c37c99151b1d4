//go:build js && wasm

// Command ourswasm is our side of `go run ./build bench`: the SigLIP engine
// (package model, simd128 kernels) as a js/wasm program that the bench page
// drives through globalThis.siglipBench (see build/bench/ours.mjs). bench.go
// builds it with -tags simd into build/out/bench/ours.wasm.
//
// The weights are the formula weights (model.FormulaSource) of the base-256
// configuration the page passes in, generated inside the page: the same
// architecture and input as the onnxruntime-web side, only not the same
// numbers (the peer's .onnx holds the same formula weights, refilled).
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"sort"
	"syscall/js"
	"time"
	"unsafe"

	"github.com/x448/float16"

	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

type bench struct {
	m     *model.Model
	p     *model.Plan
	tower string
	px    []float32
	ids   []int32
	out   []float32
}

var b bench

func main() {
	js.Global().Set("siglipBench", js.ValueOf(map[string]any{
		"setup":   js.FuncOf(guard(setup)),
		"run":     js.FuncOf(guard(run)),
		"output":  js.FuncOf(guard(output)),
		"profile": js.FuncOf(guard(profile)),
		"close":   js.FuncOf(guard(closeModel)),
		"first":   js.FuncOf(guard(firstRuns)),
		"simd":    kernel.SIMD(),
	}))
	select {}
}

// guard turns a Go error or panic into a JS exception-free result object
// {error: "..."} so the page can throw it as an Error.
func guard(f func(args []js.Value) (any, error)) func(js.Value, []js.Value) any {
	return func(_ js.Value, args []js.Value) (res any) {
		defer func() {
			if r := recover(); r != nil {
				res = map[string]any{"error": fmt.Sprint("panic: ", r)}
			}
		}()
		v, err := f(args)
		if err != nil {
			return map[string]any{"error": err.Error()}
		}
		return map[string]any{"value": v}
	}
}

// setup(tower, scheme, configJSON, input) builds the tower and copies the
// input (Float32Array pixels or BigInt64Array ids, as bytes: a Uint8Array).
func setup(args []js.Value) (any, error) {
	if len(args) != 4 {
		return nil, fmt.Errorf("setup(tower, scheme, configJSON, inputBytes): got %d arguments", len(args))
	}
	tower, scheme, cfgJSON := args[0].String(), args[1].String(), args[2].String()
	in := make([]byte, args[3].Get("length").Int())
	js.CopyBytesToGo(in, args[3])
	cfg, err := model.ParseConfigJSON([]byte(cfgJSON))
	if err != nil {
		return nil, err
	}
	var src model.WeightSource = model.FormulaSource{}
	switch scheme {
	case "q8":
		src = model.Quantized(src)
	case "q4":
		src = quantizedQ4{src}
	case "f32":
	default:
		return nil, fmt.Errorf("unknown scheme %q (q8, q4, f32)", scheme)
	}
	t0 := time.Now()
	b = bench{tower: tower}
	switch tower {
	case "vision":
		v := cfg.VisionConfig
		want := v.NumChannels * v.ImageSize * v.ImageSize
		if len(in) != 4*want {
			return nil, fmt.Errorf("vision input has %d bytes, want %d float32 (%d×%d×%d)", len(in), want, v.NumChannels, v.ImageSize, v.ImageSize)
		}
		b.px = make([]float32, want)
		for i := range b.px {
			b.px[i] = math.Float32frombits(uint32(in[4*i]) | uint32(in[4*i+1])<<8 | uint32(in[4*i+2])<<16 | uint32(in[4*i+3])<<24)
		}
		if b.m, err = model.LoadTowers(cfg, src, true, false); err != nil {
			return nil, err
		}
		b.p, err = b.m.NewPlan(1, 0)
	case "text":
		if len(in)%8 != 0 || len(in) == 0 {
			return nil, fmt.Errorf("text input has %d bytes, not a whole number of int64 ids", len(in))
		}
		b.ids = make([]int32, len(in)/8)
		for i := range b.ids {
			var v int64
			for k := 7; k >= 0; k-- {
				v = v<<8 | int64(in[8*i+k])
			}
			if v < 0 || v > math.MaxInt32 {
				return nil, fmt.Errorf("token id %d at position %d is out of range", v, i)
			}
			b.ids[i] = int32(v)
		}
		if b.m, err = model.LoadTowers(cfg, src, false, true); err != nil {
			return nil, err
		}
		b.p, err = b.m.NewPlan(0, 1)
	default:
		return nil, fmt.Errorf("unknown tower %q (vision, text)", tower)
	}
	if err != nil {
		return nil, err
	}
	load := time.Since(t0)
	tw := time.Now()
	kernel.WarmUp()
	warm := time.Since(tw)
	runtime.GC() // the f32 weights a q8 load quantized from are garbage now
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return map[string]any{
		"load_ms": ms1(load), "warmup_ms": ms1(warm), "heap_mb": float64(ms.HeapAlloc) / (1 << 20), "sys_mb": float64(ms.Sys) / (1 << 20),
		"simd": kernel.SIMD(), "q8_form": kernel.KernelForms()["MatMulQ8"], "q4_form": kernel.KernelForms()["MatMulQ4"], "f32_form": kernel.KernelForms()["MatMulF32"],
	}, nil
}

// firstRuns() times the first two forward passes after setup: V8 compiles
// wasm with its baseline compiler first and tiers hot functions up, so a
// first pass can be slower than the steady state.
func firstRuns([]js.Value) (any, error) {
	var t [2]float64
	for i := range t {
		t0 := time.Now()
		if _, err := forward(); err != nil {
			return nil, err
		}
		t[i] = ms1(time.Since(t0))
	}
	return map[string]any{"first_run_ms": t[0], "second_run_ms": t[1]}, nil
}

func ms1(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func forward() ([]float32, error) {
	if b.p == nil {
		return nil, fmt.Errorf("run before setup")
	}
	if b.tower == "vision" {
		return b.p.Images(b.px, 1)
	}
	return b.p.Texts(b.ids, 1)
}

func run([]js.Value) (any, error) {
	out, err := forward()
	if err != nil {
		return nil, err
	}
	b.out = out
	return nil, nil
}

func output([]js.Value) (any, error) {
	if b.out == nil {
		return nil, fmt.Errorf("output before run")
	}
	arr := js.Global().Get("Float32Array").New(len(b.out))
	u8 := js.Global().Get("Uint8Array").New(arr.Get("buffer"))
	js.CopyBytesToJS(u8, unsafe.Slice((*byte)(unsafe.Pointer(&b.out[0])), 4*len(b.out)))
	return arr, nil
}

// profile(runs) times each stage of the forward pass (model.StageHook),
// summed over all layers, median-free: the mean of runs passes.
func profile(args []js.Value) (any, error) {
	runs := 3
	if len(args) > 0 && args[0].Type() == js.TypeNumber {
		runs = args[0].Int()
	}
	tot := map[string]time.Duration{}
	last := time.Now()
	model.StageHook = func(stage string) {
		now := time.Now()
		tot[stage] += now.Sub(last)
		last = now
	}
	defer func() { model.StageHook = nil }()
	t0 := time.Now()
	for i := 0; i < runs; i++ {
		last = time.Now()
		if _, err := forward(); err != nil {
			return nil, err
		}
	}
	all := time.Since(t0)
	type kv struct {
		k string
		v time.Duration
	}
	var list []kv
	for k, v := range tot {
		list = append(list, kv{k, v})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].v > list[j].v })
	out := map[string]any{"total_ms": ms1(all / time.Duration(runs))}
	var order []string
	for _, e := range list {
		out[e.k] = ms1(e.v / time.Duration(runs))
		order = append(order, e.k)
	}
	j, _ := json.Marshal(order)
	out["order"] = string(j)
	return out, nil
}

func closeModel([]js.Value) (any, error) {
	b = bench{}
	runtime.GC()
	debug.FreeOSMemory()
	return nil, nil
}

// quantizedQ4 makes every Linear a 4-bit one, except those a q4 file keeps
// at q8 (modelfile.Q4KeepsQ8): the layers of a q4 model file, so the q4
// cases time the products a q4 file runs. Each block is rounded to
// nearest on the scale max|w|/7 (f16): the converter's searched scales
// (modelfile.RoundQ4) would take minutes per tower on one wasm thread and
// give the same products the same work.
type quantizedQ4 struct{ model.WeightSource }

func (q quantizedQ4) Linear(name string, shape ...int) (model.Linear, error) {
	if modelfile.Q4KeepsQ8(name) {
		return model.Quantized(q.WeightSource).Linear(name, shape...)
	}
	w, err := q.WeightSource.Float(name, shape...)
	if err != nil {
		return nil, err
	}
	n, k := shape[0], len(w)/shape[0]
	nb := (k + kernel.Q4Block - 1) / kernel.Q4Block
	qs := make([]int8, n*k)
	scales := make([]uint16, n*nb)
	for r := 0; r < n; r++ {
		for b := 0; b < nb; b++ {
			blk := w[r*k+b*kernel.Q4Block : r*k+min((b+1)*kernel.Q4Block, k)]
			var amax float32
			for _, v := range blk {
				amax = max(amax, float32(math.Abs(float64(v))))
			}
			h := float16.Fromfloat32(amax / 7).Bits()
			d := float64(kernel.HalfBitsToFloat32(h))
			scales[r*nb+b] = h
			for i, v := range blk {
				qs[r*k+b*kernel.Q4Block+i] = modelfile.Q4Round(float64(v), d)
			}
		}
	}
	p, err := kernel.NewPackedQ4(modelfile.PackQ4(qs, n, k), scales, n, k)
	if err != nil {
		return nil, err
	}
	return &model.Q4Linear{W: p}, nil
}
