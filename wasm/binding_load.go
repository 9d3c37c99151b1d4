//go:build js && wasm

package main

import (
	"fmt"
	"runtime"
	"syscall/js"
)

// gcEvery is how many received bytes go between Go garbage collections
// while a model arrives. Go holds a reference to each piece's JS object
// (a js.Value) until its GC finalizes it, and the heap is far below its
// next GC goal while the file fills one preallocated buffer: without these
// collections the browser could free no piece before the load ends (the
// tab briefly held the file twice). Each collection is cheap: the file's
// buffer holds no pointers.
const gcEvery = 64 << 20

// A model file arrives in pieces (web/siglip.js streams it from the
// network, a Blob, a file or the caller's bytes) and each piece is copied
// straight into its place in one Go buffer of the file's size: the file is
// in the tab's memory once, not once in JS and again in Go. Parsing then
// views that buffer in place (modelfile.Open, modelfile/weights).

// pendingLoad is a model file being received.
type pendingLoad struct {
	data  []byte   // the file, when its size was given
	n     int      // bytes received
	gcAt  int      // n at the last collection
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
	if p.n-p.gcAt >= gcEvery {
		p.gcAt = p.n
		runtime.GC()
	}
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
		runtime.GC() // the last pieces' references, and what parsing left behind
		if err != nil {
			return nil, err
		}
		b.mu.Lock()
		h := b.next
		b.next++
		b.models[h] = e
		b.mu.Unlock()
		return h, nil
	}, nil
}
