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
		"loadBegin":          promised(b.loadBegin),
		"loadPiece":          promised(b.loadPiece),
		"loadAbort":          promised(b.loadAbort),
		"load":               promised(b.load),
		"unload":             promised(b.unload),
		"info":               promised(b.info),
		"embedImagesRGBA":    promised(b.embedImagesRGBA),
		"embedImagesEncoded": promised(b.embedImagesEncoded),
		"embedTexts":         promised(b.embedTexts),
		"tokenize":           promised(b.tokenize),
		"scores":             promised(b.scores),
		"imageHeader":        promised(imageHeader),
		"checkImageSize":     promised(checkImageSize),
		"decodeRGB":          promised(decodeRGB),
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

type rgbaImage struct {
	pix           []byte
	width, height int
}

func (b *binding) embedImagesRGBA(args []js.Value) (func() (any, error), error) {
	e, list, err := b.engineAndList(args, "embedImagesRGBA", "images", maxImagesPerCall)
	if err != nil {
		return nil, err
	}
	imgs := make([]rgbaImage, len(list))
	for i, v := range list {
		name := imageName(len(list), i)
		if v.Type() != js.TypeObject {
			return nil, fmt.Errorf("%s: want {rgba, width, height}, got %s", name, v.Type())
		}
		w, h := v.Get("width"), v.Get("height")
		if w.Type() != js.TypeNumber || h.Type() != js.TypeNumber {
			return nil, fmt.Errorf("%s: width and height must be numbers", name)
		}
		pix, err := bytesArg(v.Get("rgba"), name+" pixels")
		if err != nil {
			return nil, err
		}
		if err := checkRGBA(len(pix), w.Int(), h.Int()); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		imgs[i] = rgbaImage{pix, w.Int(), h.Int()}
	}
	return func() (any, error) {
		return embedEach(len(imgs), func(i int) ([]float32, error) {
			return e.EmbedImageRGBA(imgs[i].pix, imgs[i].width, imgs[i].height)
		})
	}, nil
}

// embedEach embeds n inputs in turn; an error names the input that failed.
func embedEach(n int, embed func(i int) ([]float32, error)) (any, error) {
	rows := make([][]float32, n)
	for i := range rows {
		r, err := embed(i)
		if err != nil {
			return nil, prefixIndex(n, i, err)
		}
		rows[i] = r
	}
	return matrixResult(rows)
}

func (b *binding) embedImagesEncoded(args []js.Value) (func() (any, error), error) {
	e, list, err := b.engineAndList(args, "embedImagesEncoded", "images", maxImagesPerCall)
	if err != nil {
		return nil, err
	}
	files := make([][]byte, len(list))
	for i, v := range list {
		name := imageName(len(list), i)
		if files[i], err = bytesArg(v, name); err != nil {
			return nil, err
		}
		if len(files[i]) == 0 {
			return nil, fmt.Errorf("%s is empty (0 bytes)", name)
		}
	}
	return func() (any, error) {
		return embedEach(len(files), func(i int) ([]float32, error) { return e.EmbedImageEncoded(files[i]) })
	}, nil
}

func (b *binding) embedTexts(args []js.Value) (func() (any, error), error) {
	e, list, err := b.engineAndList(args, "embedTexts", "texts", maxTextsPerCall)
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
		rows, err := e.EmbedTexts(texts)
		if err != nil {
			return nil, err
		}
		return matrixResult(rows)
	}, nil
}

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
	if args[3].Type() != js.TypeNumber {
		return nil, fmt.Errorf("scores: dim must be a number")
	}
	dim := args[3].Int()
	img, err := float32Arg(args[1], "image embeddings")
	if err != nil {
		return nil, err
	}
	txt, err := float32Arg(args[2], "text embeddings")
	if err != nil {
		return nil, err
	}
	if err := checkFinite("image embeddings", img); err != nil {
		return nil, err
	}
	if err := checkFinite("text embeddings", txt); err != nil {
		return nil, err
	}
	imgs, err := splitRows(img, dim)
	if err != nil {
		return nil, fmt.Errorf("image embeddings: %w", err)
	}
	txts, err := splitRows(txt, dim)
	if err != nil {
		return nil, fmt.Errorf("text embeddings: %w", err)
	}
	if len(imgs) == 0 || len(txts) == 0 {
		return nil, fmt.Errorf("scores need at least one image and one text embedding (got %d and %d)", len(imgs), len(txts))
	}
	return func() (any, error) {
		var logits, probs []float32
		for _, im := range imgs {
			l, p, err := e.Scores(im, txts)
			if err != nil {
				return nil, err
			}
			logits = append(logits, l...)
			probs = append(probs, p...)
		}
		return map[string]any{"logits": float32Array(logits), "probs": float32Array(probs)}, nil
	}, nil
}

// imageName names image i of n in messages ("image" when it is the only one).
func imageName(n, i int) string {
	if n == 1 {
		return "the image"
	}
	return fmt.Sprintf("image %d", i)
}

func prefixIndex(n, i int, err error) error {
	if n == 1 {
		return err
	}
	return fmt.Errorf("image %d: %w", i, err)
}

func matrixResult(rows [][]float32) (any, error) {
	data, dim, err := joinRows(rows)
	if err != nil {
		return nil, err
	}
	return map[string]any{"data": float32Array(data), "dim": dim}, nil
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
