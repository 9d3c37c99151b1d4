//go:build js && wasm

package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"syscall/js"
)

// gcHeadroom is how much garbage the Go heap may gather between
// collections once models are loaded. Go's default (GOGC=100) lets the heap
// grow to twice its live size before collecting, and the live heap is
// mostly model files (pointer-free, so a collection does not scan them):
// with a 650 MB model, a page embedding images would let the tab grow by
// another 650 MB of decoded images before the first collection, and wasm
// memory never shrinks. tuneGC sets GOGC so that the allowance is about
// this many bytes instead (never more than Go's default).
const gcHeadroom = 64 << 20

// tuneGC collects and sets the GC percent for the live heap (after a model
// is loaded or unloaded).
func tuneGC() {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	pct := 100
	if live := ms.HeapAlloc; live > 0 {
		pct = max(5, min(100, int(100*gcHeadroom/live)))
	}
	debug.SetGCPercent(pct)
}

// A model file arrives in pieces (web/siglip.js streams it from the
// network, a Blob, a file or the caller's bytes) and each piece is copied
// straight into its place in one Go buffer of the file's size: the file is
// in the tab's memory once, not once in JS and again in Go. Parsing then
// views that buffer in place (modelfile.Open, modelfile/weights). The
// worker hands each piece's buffer back to the page for the next piece,
// so the js.Value Go keeps until its next collection refers to a detached
// buffer, not to 4 MB of the file.

// pendingLoad is a model file being received.
type pendingLoad struct {
	data  []byte   // the file, when its size was given
	n     int      // bytes received
	parts [][]byte // the pieces, when it was not (joined at the end)
}

// loadBegin(size) → loader: size 0 means unknown (a response without a
// usable Content-Length); the pieces are then kept and joined at the end,
// which costs a second copy for that moment.
func (b *binding) loadBegin(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 1, "loadBegin"); err != nil {
		return nil, err
	}
	if args[0].Type() != js.TypeNumber {
		return nil, fmt.Errorf("loadBegin: the model's size must be a number, got %s", args[0].Type())
	}
	f := args[0].Float()
	if f != float64(int64(f)) || f < 0 {
		return nil, fmt.Errorf("loadBegin: the model's size must be a whole number of bytes, got %v", f)
	}
	size := int(f)
	if size > 0 {
		if err := checkModelSize(size); err != nil {
			return nil, err
		}
	}
	p := &pendingLoad{}
	if size > 0 {
		p.data = make([]byte, size)
	}
	b.mu.Lock()
	id := b.next
	b.next++
	b.loads[id] = p
	b.mu.Unlock()
	return func() (any, error) { return id, nil }, nil
}

func (b *binding) pending(v js.Value) (*pendingLoad, int, error) {
	if v.Type() != js.TypeNumber {
		return nil, 0, fmt.Errorf("model loader must be a number, got %s", v.Type())
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	p, ok := b.loads[v.Int()]
	if !ok {
		return nil, 0, fmt.Errorf("no model being loaded with id %d", v.Int())
	}
	return p, v.Int(), nil
}

// loadPiece(loader, bytes) copies the next piece of the file into place
// (synchronously, before the caller can reuse its buffer).
func (b *binding) loadPiece(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 2, "loadPiece"); err != nil {
		return nil, err
	}
	p, _, err := b.pending(args[0])
	if err != nil {
		return nil, err
	}
	v, err := uint8View(args[1], "model bytes")
	if err != nil {
		return nil, err
	}
	k := v.Get("byteLength").Int()
	if p.data == nil {
		if p.n+k > maxModelBytes {
			return nil, fmt.Errorf("model file is more than %d bytes: more than a wasm32 module can hold", maxModelBytes)
		}
		part := make([]byte, k)
		js.CopyBytesToGo(part, v)
		p.parts = append(p.parts, part)
	} else {
		if p.n+k > len(p.data) {
			return nil, fmt.Errorf("model file: more bytes arrived (%d so far) than its declared size of %d", p.n+k, len(p.data))
		}
		js.CopyBytesToGo(p.data[p.n:p.n+k], v)
	}
	p.n += k
	return func() (any, error) { return nil, nil }, nil
}

// loadAbort(loader) drops a file being received.
func (b *binding) loadAbort(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 1, "loadAbort"); err != nil {
		return nil, err
	}
	_, id, err := b.pending(args[0])
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	delete(b.loads, id)
	b.mu.Unlock()
	return func() (any, error) { return nil, nil }, nil
}

// load(loader) → handle: the file is complete; check it and open the model.
func (b *binding) load(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 1, "load"); err != nil {
		return nil, err
	}
	p, id, err := b.pending(args[0])
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	delete(b.loads, id)
	b.mu.Unlock()
	data := p.data
	if data == nil {
		data = make([]byte, 0, p.n)
		for _, part := range p.parts {
			data = append(data, part...)
		}
		p.parts = nil
	} else if p.n != len(data) {
		return nil, fmt.Errorf("model file: %d of its %d bytes arrived (the download or read stopped early)", p.n, len(data))
	}
	if err := checkModelSize(len(data)); err != nil {
		return nil, err
	}
	return func() (any, error) {
		e, err := openEngine(data)
		if err != nil {
			tuneGC()
			return nil, err
		}
		b.mu.Lock()
		h := b.next
		b.next++
		b.models[h] = e
		b.mu.Unlock()
		tuneGC() // collects what parsing left behind
		return h, nil
	}, nil
}
