//go:build js && wasm

package main

import (
	"syscall/js"
)

func main() {
	b := newBinding()
	api := js.Global().Get("Object").New()
	for name, fn := range b.functions() {
		api.Set(name, js.FuncOf(fn))
	}
	for name, fn := range b.gpuFunctions() { // web/webgpu's inputs (gpu.go)
		api.Set(name, js.FuncOf(fn))
	}
	api.Set("version", bindingVersion)
	api.Set("limits", js.ValueOf(limits())) // imageproc's and tokenizer's limits, for JS to check before sending
	js.Global().Set("siglipGo", api)
	// Tell the host the API is installed (the worker awaits this).
	if ready := js.Global().Get("siglipGoReady"); ready.Type() == js.TypeFunction {
		ready.Invoke(api)
	}
	select {}
}
