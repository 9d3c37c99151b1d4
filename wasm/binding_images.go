//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
)

// The image limits live in imageproc (one set for the CLI, Node and the
// browser). The worker asks these before it lets the browser decode
// anything, so a bitmap is never allocated for an image that is refused.

// imageHeader(bytes) → {format, width, height}: the encoded image's
// declared size, already checked against the limits (a refusal rejects).
func imageHeader(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 1, "imageHeader"); err != nil {
		return nil, err
	}
	data, err := bytesArg(args[0], "the image")
	if err != nil {
		return nil, err
	}
	return func() (any, error) {
		h, err := imageproc.DecodeHeader(data)
		if err != nil {
			return nil, err
		}
		return map[string]any{"format": h.Format, "width": h.Width, "height": h.Height}, nil
	}, nil
}

// checkImageSize(width, height, what) checks an already decoded image
// (ImageBitmap, canvas) against the limits before it is read into RGBA.
func checkImageSize(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 3, "checkImageSize"); err != nil {
		return nil, err
	}
	if args[0].Type() != js.TypeNumber || args[1].Type() != js.TypeNumber {
		return nil, fmt.Errorf("checkImageSize: width and height must be numbers")
	}
	w, h, what := args[0].Float(), args[1].Float(), args[2].String()
	if w != float64(int(w)) || h != float64(int(h)) {
		return nil, fmt.Errorf("%s is %v×%v pixels: width and height must be whole numbers", what, w, h)
	}
	return func() (any, error) { return nil, imageproc.CheckSize(what, int(w), int(h)) }, nil
}

// decodeRGB(bytes) → {rgb, width, height}: the pixels Go's decoders give
// (alpha dropped as PIL's convert("RGB") does), for SigLIP.decodeImage.
func decodeRGB(args []js.Value) (func() (any, error), error) {
	if err := argc(args, 1, "decodeRGB"); err != nil {
		return nil, err
	}
	data, err := bytesArg(args[0], "the image")
	if err != nil {
		return nil, err
	}
	return func() (any, error) {
		img, err := imageproc.Decode(data)
		if err != nil {
			return nil, err
		}
		rgb := imageproc.ToRGB(img)
		u8 := js.Global().Get("Uint8Array").New(len(rgb.Pix))
		js.CopyBytesToJS(u8, rgb.Pix)
		return map[string]any{"rgb": u8, "width": rgb.W, "height": rgb.H}, nil
	}, nil
}
