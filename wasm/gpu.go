//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall/js"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// The WebGPU backend (web/webgpu/) runs the two towers on the GPU; the Go
// module keeps what must match PIL and SentencePiece exactly: decoding and
// preprocessing images, and tokenising texts. These functions hand the
// GPU code those inputs (and, for calibration and tests, run the wasm
// towers on exactly the same pixels), the parsed config, and the model
// file's tensors as stored (dtype, shape, bytes), copied straight into the
// GPU's mapped upload buffers. The file was checked by load (hash, dtypes,
// shapes) before any of these run.
func (b *binding) gpuFunctions() map[string]func(js.Value, []js.Value) any {
	return map[string]func(js.Value, []js.Value) any{
		"pixelsEncoded":  promised(b.pixelsEncoded),
		"pixelsRGBA":     promised(b.pixelsRGBA),
		"tokenizeIds":    promised(b.tokenizeIds),
		"embedPixels":    promised(b.embedPixels),
		"gpuConfig":      promised(b.gpuConfig),
		"gpuNumerics":    promised(b.gpuNumerics),
		"gpuTensors":     promised(b.gpuTensors),
		"gpuCopyTensors": promised(b.gpuCopyTensors),
	}
}

func (b *binding) siglip(v js.Value) (*siglipEngine, error) {
	e, err := b.get(v)
	if err != nil {
		return nil, err
	}
	s, ok := e.(*siglipEngine)
	if !ok {
		return nil, fmt.Errorf("this model cannot run on the GPU backend")
	}
	return s, nil
}

// pixels preprocesses one image into a fresh [C][size][size] Float32Array.
func (s *siglipEngine) pixelsOf(rgb *imageproc.RGB) (any, error) {
	out := make([]float32, s.imageValues())
	if err := s.pre.Into(out, rgb); err != nil {
		return nil, err
	}
	return float32Array(out), nil
}

// pixelsEncoded(handle, bytes) → Float32Array: decode + preprocess.
func (b *binding) pixelsEncoded(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 2, "pixelsEncoded"); err != nil {
		return nil, err
	}
	s, err := b.siglip(args[0])
	if err != nil {
		return nil, err
	}
	data, err := bytesArg(args[1], "the image")
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("the image is empty (0 bytes)")
	}
	return func() (any, error) {
		img, err := imageproc.Decode(data)
		if err != nil {
			return nil, err
		}
		return s.pixelsOf(imageproc.ToRGB(img))
	}, nil
}

// pixelsRGBA(handle, rgba, width, height) → Float32Array.
func (b *binding) pixelsRGBA(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 4, "pixelsRGBA"); err != nil {
		return nil, err
	}
	s, err := b.siglip(args[0])
	if err != nil {
		return nil, err
	}
	if args[2].Type() != js.TypeNumber || args[3].Type() != js.TypeNumber {
		return nil, fmt.Errorf("pixelsRGBA: width and height must be numbers")
	}
	w, h := args[2].Int(), args[3].Int()
	pix, err := bytesArg(args[1], "the image pixels")
	if err != nil {
		return nil, err
	}
	if err := checkRGBA(len(pix), w, h); err != nil {
		return nil, err
	}
	return func() (any, error) {
		rgb, err := imageproc.FromRGBA(pix, w, h)
		if err != nil {
			return nil, err
		}
		return s.pixelsOf(rgb)
	}, nil
}

// tokenizeIds(handle, texts) → {ids: Int32Array [n·seq], seq}.
func (b *binding) tokenizeIds(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 2, "tokenizeIds"); err != nil {
		return nil, err
	}
	s, err := b.siglip(args[0])
	if err != nil {
		return nil, err
	}
	list, err := arrayArg(args[1], "texts", maxTextsPerCall)
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
		ids, err := s.tok.EncodeBatch(texts, s.seq)
		if err != nil {
			return nil, err
		}
		u8 := js.Global().Get("Uint8Array").New(len(ids) * 4)
		buf := make([]byte, len(ids)*4)
		for i, id := range ids {
			buf[4*i], buf[4*i+1], buf[4*i+2], buf[4*i+3] = byte(id), byte(id>>8), byte(id>>16), byte(id>>24)
		}
		js.CopyBytesToJS(u8, buf)
		return map[string]any{"ids": js.Global().Get("Int32Array").New(u8.Get("buffer")), "seq": s.seq}, nil
	}, nil
}

// embedPixels(handle, Float32Array) → {data, dim}: the wasm vision tower on
// preprocessed pixels (the auto backend's calibration, and tests comparing
// the two backends on one input).
func (b *binding) embedPixels(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 2, "embedPixels"); err != nil {
		return nil, err
	}
	s, err := b.siglip(args[0])
	if err != nil {
		return nil, err
	}
	px, err := float32Arg(args[1], "pixels")
	if err != nil {
		return nil, err
	}
	if len(px) != s.imageValues() {
		return nil, fmt.Errorf("embedPixels: %d pixel values, the model takes %d", len(px), s.imageValues())
	}
	return func() (any, error) {
		out, err := s.plan.Images(px, 1)
		if err != nil {
			return nil, err
		}
		return matrixResult(out, len(out)), nil
	}, nil
}

// gpuConfig(handle) → the parsed config.json (transformers' defaults filled
// in, validated) as a JSON string: the GPU code takes sizes from here, not
// from its own reading of the file's config.
func (b *binding) gpuConfig(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 1, "gpuConfig"); err != nil {
		return nil, err
	}
	s, err := b.siglip(args[0])
	if err != nil {
		return nil, err
	}
	return func() (any, error) {
		j, err := json.Marshal(s.m.Config)
		return string(j), err
	}, nil
}

// gpuNumerics(handle) → JSON {actQMax}: what the GPU's q8/q4 products
// must do the same way as this module's kernels to give its numbers:
// actQMax, the bound the active MatMulQ8 form quantizes activations to
// (kernel.ActQMax; kernel/doc.go, "Int8 matmul semantics").
func (b *binding) gpuNumerics(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 1, "gpuNumerics"); err != nil {
		return nil, err
	}
	if _, err := b.siglip(args[0]); err != nil {
		return nil, err
	}
	return func() (any, error) {
		j, err := json.Marshal(map[string]int{"actQMax": kernel.ActQMax()})
		return string(j), err
	}, nil
}

// gpuTensors(handle) → JSON {name: {dtype, shape, length}} of the towers'
// tensors (vision_model.*, text_model.*) as the file stores them.
func (b *binding) gpuTensors(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 1, "gpuTensors"); err != nil {
		return nil, err
	}
	s, err := b.siglip(args[0])
	if err != nil {
		return nil, err
	}
	return func() (any, error) {
		st, err := safetensors.Parse(s.data)
		if err != nil {
			return nil, err
		}
		type entry struct {
			DType  safetensors.DType `json:"dtype"`
			Shape  []int             `json:"shape"`
			Length int               `json:"length"`
		}
		out := map[string]entry{}
		for _, name := range st.Names() {
			if !strings.HasPrefix(name, "vision_model.") && !strings.HasPrefix(name, "text_model.") {
				continue
			}
			t, _ := st.Tensor(name)
			out[name] = entry{t.DType, t.Shape, len(t.Data)}
		}
		j, err := json.Marshal(out)
		return string(j), err
	}, nil
}

// gpuCopyTensors(handle, names, dsts) copies each named tensor's stored
// bytes into its Uint8Array (a mapped GPU buffer, at least as long), before
// it returns: one call, one header parse, no copy held in JS.
func (b *binding) gpuCopyTensors(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 3, "gpuCopyTensors"); err != nil {
		return nil, err
	}
	s, err := b.siglip(args[0])
	if err != nil {
		return nil, err
	}
	names, err := arrayArg(args[1], "tensor names", 1<<20)
	if err != nil {
		return nil, err
	}
	dsts, err := arrayArg(args[2], "upload buffers", 1<<20)
	if err != nil {
		return nil, err
	}
	if len(names) != len(dsts) {
		return nil, fmt.Errorf("gpuCopyTensors: %d names for %d buffers", len(names), len(dsts))
	}
	st, err := safetensors.Parse(s.data)
	if err != nil {
		return nil, err
	}
	total := 0
	for i, n := range names {
		if n.Type() != js.TypeString {
			return nil, fmt.Errorf("gpuCopyTensors: tensor name %d is not a string", i)
		}
		t, ok := st.Tensor(n.String())
		if !ok {
			return nil, fmt.Errorf("gpuCopyTensors: the model file has no tensor %q", n.String())
		}
		dst := dsts[i]
		if dst.Type() != js.TypeObject || !dst.InstanceOf(js.Global().Get("Uint8Array")) || dst.Get("byteLength").Int() < len(t.Data) {
			return nil, fmt.Errorf("gpuCopyTensors: %s needs a Uint8Array of at least %d bytes", n.String(), len(t.Data))
		}
		js.CopyBytesToJS(dst, t.Data)
		total += len(t.Data)
	}
	return func() (any, error) { return total, nil }, nil
}
