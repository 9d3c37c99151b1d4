//go:build js && wasm

package main

import (
	"fmt"
	"runtime/debug"
	"sync"
	"syscall/js"
	"unsafe"
)

// binding owns the loaded models, keyed by the handles given to JS.
type binding struct {
	mu     sync.Mutex
	next   int // handles and loaders share one counter
	models map[int]engine
	loads  map[int]*pendingLoad
}

func newBinding() *binding {
	return &binding{next: 1, models: map[int]engine{}, loads: map[int]*pendingLoad{}}
}

func (b *binding) functions() map[string]func(js.Value, []js.Value) any {
	return map[string]func(js.Value, []js.Value) any{
		"loadBegin":      promised(b.loadBegin),
		"loadPiece":      promised(b.loadPiece),
		"loadAbort":      promised(b.loadAbort),
		"load":           promised(b.load),
		"unload":         promised(b.unload),
		"info":           promised(b.info),
		"embedImages":    promised(b.embedImages),
		"classify":       promised(b.classify),
		"embedTexts":     promised(b.embedTexts),
		"tokenize":       promised(b.tokenize),
		"scores":         promised(b.scores),
		"imageHeader":    promised(imageHeader),
		"checkImageSize": promised(checkImageSize),
		"decodeRGB":      promised(decodeRGB),
	}
}

// promised turns a Go function into a JS function returning a Promise.
// Arguments are converted (copied into Go memory) synchronously, before the
// caller can reuse or transfer its buffers; the work then runs on its own
// goroutine so the JS event loop is never blocked inside the callback.
// Panics become rejections too: a bug must not kill the module.
func promised(fn func(args []js.Value) (func() (any, error), error)) func(js.Value, []js.Value) any {
	return func(_ js.Value, args []js.Value) any {
		work, err := safeCall(func() (func() (any, error), error) { return fn(args) })
		executor := js.FuncOf(func(_ js.Value, p []js.Value) any {
			resolve, reject := p[0], p[1]
			if err != nil {
				reject.Invoke(jsError(err))
				return nil
			}
			go func() {
				v, err := safeCall(work)
				if err != nil {
					reject.Invoke(jsError(err))
					return
				}
				resolve.Invoke(v)
			}()
			return nil
		})
		defer executor.Release()
		return js.Global().Get("Promise").New(executor)
	}
}

func safeCall[T any](f func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in the Go module: %v\n%s", r, debug.Stack())
		}
	}()
	return f()
}

func jsError(err error) js.Value { return js.Global().Get("Error").New(err.Error()) }

func (b *binding) get(v js.Value) (engine, error) {
	if v.Type() != js.TypeNumber {
		return nil, fmt.Errorf("model handle must be a number, got %s", v.Type())
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.models[v.Int()]
	if !ok {
		return nil, fmt.Errorf("no model with handle %d (disposed already?)", v.Int())
	}
	return e, nil
}

func argc(args []js.Value, n int, name string) error {
	if len(args) != n {
		return fmt.Errorf("%s takes %d arguments, got %d", name, n, len(args))
	}
	return nil
}

func (b *binding) unload(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 1, "unload"); err != nil {
		return nil, err
	}
	if _, err := b.get(args[0]); err != nil {
		return nil, err
	}
	h := args[0].Int()
	return func() (any, error) {
		b.mu.Lock()
		delete(b.models, h)
		b.mu.Unlock()
		tuneGC()
		return nil, nil
	}, nil
}

func (b *binding) info(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 1, "info"); err != nil {
		return nil, err
	}
	e, err := b.get(args[0])
	if err != nil {
		return nil, err
	}
	return func() (any, error) { return e.Info().toMap(), nil }, nil
}

// engineAndList reads the (model handle, array) arguments every embed
// call takes, checking the count and the array's length.
func (b *binding) engineAndList(args []js.Value, name, what string, max int) (engine, []js.Value, error) {
	if err := argc(args, 2, name); err != nil {
		return nil, nil, err
	}
	e, err := b.get(args[0])
	if err != nil {
		return nil, nil, err
	}
	list, err := arrayArg(args[1], what, max)
	if err != nil {
		return nil, nil, err
	}
	return e, list, nil
}

// imageArg reads one image: a Uint8Array / ArrayBuffer of an encoded file,
// or {rgba, width, height} pixels.
func imageArg(v js.Value, name string) (imageInput, error) {
	if v.Type() != js.TypeObject {
		return imageInput{}, fmt.Errorf("%s: want the bytes of an image file or {rgba, width, height}, got %s", name, v.Type())
	}
	if rgba := v.Get("rgba"); rgba.Type() != js.TypeUndefined {
		w, h := v.Get("width"), v.Get("height")
		if w.Type() != js.TypeNumber || h.Type() != js.TypeNumber {
			return imageInput{}, fmt.Errorf("%s: width and height must be numbers", name)
		}
		pix, err := bytesArg(rgba, name+" pixels")
		if err != nil {
			return imageInput{}, err
		}
		if err := checkRGBA(len(pix), w.Int(), h.Int()); err != nil {
			return imageInput{}, fmt.Errorf("%s: %w", name, err)
		}
		return imageInput{RGBA: pix, Width: w.Int(), Height: h.Int()}, nil
	}
	data, err := bytesArg(v, name)
	if err != nil {
		return imageInput{}, err
	}
	if len(data) == 0 {
		return imageInput{}, fmt.Errorf("%s is empty (0 bytes)", name)
	}
	return imageInput{Encoded: data}, nil
}

// embedImages(handle, images) → {data, dim}: several images, each encoded
// bytes or RGBA pixels, embedded in batches by one call.
func (b *binding) embedImages(args []js.Value) (func() (any, error), error) {
	e, list, err := b.engineAndList(args, "embedImages", "images", maxImagesPerCall)
	if err != nil {
		return nil, err
	}
	imgs := make([]imageInput, len(list))
	for i, v := range list {
		if imgs[i], err = imageArg(v, imageName(len(list), i)); err != nil {
			return nil, err
		}
	}
	return func() (any, error) {
		data, err := e.EmbedImages(imgs)
		if err != nil {
			return nil, err
		}
		return matrixResult(data, e.Info().EmbedDim), nil
	}, nil
}

// textsArg reads a list of texts (checked and made valid UTF-8).
func textsArg(v js.Value) ([]string, error) {
	list, err := arrayArg(v, "texts", maxTextsPerCall)
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(list))
	for i, v := range list {
		if v.Type() != js.TypeString {
			return nil, fmt.Errorf("text %d must be a string, got %s", i, v.Type())
		}
		texts[i] = v.String()
	}
	return cleanTexts(texts)
}

func (b *binding) embedTexts(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 2, "embedTexts"); err != nil {
		return nil, err
	}
	e, err := b.get(args[0])
	if err != nil {
		return nil, err
	}
	texts, err := textsArg(args[1])
	if err != nil {
		return nil, err
	}
	return func() (any, error) {
		data, err := e.EmbedTexts(texts)
		if err != nil {
			return nil, err
		}
		return matrixResult(data, e.Info().EmbedDim), nil
	}, nil
}

// embeddingsArg reads a flat Float32Array of embeddings whose rows must
// have the model's dimension (dim, as JS says it, is checked against it).
func embeddingsArg(v js.Value, what string, e engine, dim js.Value, allowEmpty bool) ([]float32, error) {
	d := e.Info().EmbedDim
	if dim.Type() != js.TypeNumber || dim.Int() != d {
		return nil, fmt.Errorf("%s: rows of %v values given, the model's embeddings have %d", what, dim, d)
	}
	f, err := float32Arg(v, what)
	if err != nil {
		return nil, err
	}
	if len(f)%d != 0 || (len(f) == 0 && !allowEmpty) {
		return nil, fmt.Errorf("%s: %d values are not a whole number (≥ 1) of %d-value rows", what, len(f), d)
	}
	if err := checkFinite(what, f); err != nil {
		return nil, err
	}
	return f, nil
}

// scores(handle, images, texts, dim) → {logits, probs} [images × texts].

// tokenize returns the ids embedTexts would use, as arrays of numbers (for
// checking the tokenizer against a reference; small next to embeddings).
func (b *binding) tokenize(args []js.Value) (func() (any, error), error) {
	e, list, err := b.engineAndList(args, "tokenize", "texts", maxTextsPerCall)
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(list))
	for i, v := range list {
		if v.Type() != js.TypeString {
			return nil, fmt.Errorf("text %d must be a string, got %s", i, v.Type())
		}
		texts[i] = v.String()
	}
	if texts, err = cleanTexts(texts); err != nil {
		return nil, err
	}
	return func() (any, error) {
		ids, seq, err := e.Tokenize(texts)
		if err != nil {
			return nil, err
		}
		rows := make([]any, len(texts))
		for i := range rows {
			row := make([]any, seq)
			for j, id := range ids[i*seq : (i+1)*seq] {
				row[j] = int(id)
			}
			rows[i] = row
		}
		return rows, nil
	}, nil
}

func (b *binding) scores(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 4, "scores"); err != nil {
		return nil, err
	}
	e, err := b.get(args[0])
	if err != nil {
		return nil, err
	}
	img, err := embeddingsArg(args[1], "image embeddings", e, args[3], false)
	if err != nil {
		return nil, err
	}
	txt, err := embeddingsArg(args[2], "text embeddings", e, args[3], false)
	if err != nil {
		return nil, err
	}
	return func() (any, error) {
		logits, probs, err := e.Scores(img, txt)
		if err != nil {
			return nil, err
		}
		return map[string]any{"logits": float32Array(logits), "probs": float32Array(probs)}, nil
	}, nil
}

// classify(handle, image, known, texts, dim) → {logits, probs, texts, dim}:
// the worker's one-call classification. known holds the text embeddings
// the caller has cached (rows of dim), texts the prompts it has not (may
// be empty); logits and probs are over known ++ texts, and texts in the
// result are the new embeddings.
func (b *binding) classify(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 5, "classify"); err != nil {
		return nil, err
	}
	e, err := b.get(args[0])
	if err != nil {
		return nil, err
	}
	img, err := imageArg(args[1], "the image")
	if err != nil {
		return nil, err
	}
	known, err := embeddingsArg(args[2], "cached text embeddings", e, args[4], true)
	if err != nil {
		return nil, err
	}
	var texts []string
	if args[3].Type() != js.TypeObject || args[3].Length() > 0 {
		if texts, err = textsArg(args[3]); err != nil {
			return nil, err
		}
	}
	if len(known) == 0 && len(texts) == 0 {
		return nil, fmt.Errorf("classify: no texts to score the image against")
	}
	return func() (any, error) {
		embedded, logits, probs, err := classify(e, img, known, texts)
		if err != nil {
			return nil, err
		}
		return map[string]any{"logits": float32Array(logits), "probs": float32Array(probs),
			"texts": float32Array(embedded), "dim": e.Info().EmbedDim}, nil
	}, nil
}

func matrixResult(data []float32, dim int) any {
	return map[string]any{"data": float32Array(data), "dim": dim}
}

// uint8View returns a Uint8Array over a Uint8Array / Uint8ClampedArray /
// ArrayBuffer argument, without copying.
func uint8View(v js.Value, what string) (js.Value, error) {
	if v.Type() != js.TypeObject {
		return js.Value{}, fmt.Errorf("%s: want a Uint8Array, got %s", what, v.Type())
	}
	if v.InstanceOf(js.Global().Get("ArrayBuffer")) {
		v = js.Global().Get("Uint8Array").New(v)
	}
	if v.InstanceOf(js.Global().Get("Uint8ClampedArray")) {
		v = js.Global().Get("Uint8Array").New(v.Get("buffer"), v.Get("byteOffset"), v.Get("byteLength"))
	}
	if !v.InstanceOf(js.Global().Get("Uint8Array")) {
		return js.Value{}, fmt.Errorf("%s: want a Uint8Array or ArrayBuffer", what)
	}
	return v, nil
}

// bytesArg copies a Uint8Array / Uint8ClampedArray / ArrayBuffer into Go.
func bytesArg(v js.Value, what string) ([]byte, error) {
	v, err := uint8View(v, what)
	if err != nil {
		return nil, err
	}
	out := make([]byte, v.Get("byteLength").Int())
	js.CopyBytesToGo(out, v)
	return out, nil
}

// float32Arg copies a Float32Array into Go.
func float32Arg(v js.Value, what string) ([]float32, error) {
	if v.Type() != js.TypeObject || !v.InstanceOf(js.Global().Get("Float32Array")) {
		return nil, fmt.Errorf("%s: want a Float32Array", what)
	}
	n := v.Get("length").Int()
	out := make([]float32, n)
	if n == 0 {
		return out, nil
	}
	u8 := js.Global().Get("Uint8Array").New(v.Get("buffer"), v.Get("byteOffset"), n*4)
	js.CopyBytesToGo(unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), n*4), u8)
	return out, nil
}

// float32Array copies Go floats into a new Float32Array (wasm is
// little-endian, as are typed arrays on every platform that runs it).
func float32Array(f []float32) js.Value {
	u8 := js.Global().Get("Uint8Array").New(len(f) * 4)
	if len(f) > 0 {
		js.CopyBytesToJS(u8, unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), len(f)*4))
	}
	return js.Global().Get("Float32Array").New(u8.Get("buffer"))
}

func arrayArg(v js.Value, what string, max int) ([]js.Value, error) {
	if v.Type() != js.TypeObject || !js.Global().Get("Array").Call("isArray", v).Bool() {
		return nil, fmt.Errorf("%s: want an array", what)
	}
	n := v.Length()
	if n == 0 {
		return nil, fmt.Errorf("%s: the list is empty", what)
	}
	if n > max {
		return nil, fmt.Errorf("%s: %d in one call, at most %d (split them into batches)", what, n, max)
	}
	out := make([]js.Value, n)
	for i := range out {
		out[i] = v.Index(i)
	}
	return out, nil
}
