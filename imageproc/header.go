package imageproc

import (
	"bytes"
	"errors"
	"fmt"
	"image"
)

// Header is what an encoded image declares about itself before any pixel
// is decoded.
type Header struct {
	Format        string // as Go's image registry names it: "png", "jpeg", "gif", "webp", "bmp"
	Width, Height int
}

// DecodeHeader reads only the header of a PNG (IHDR), JPEG (SOF), GIF
// (logical screen), WebP or BMP image and checks its declared size against
// the limits (MaxPixels, MaxSide). Every path that decodes an image — Go's
// decoders here and the browser's in web/worker.js — calls it first, so an
// image that will be refused never gets a bitmap.
func DecodeHeader(data []byte) (Header, error) {
	if len(data) == 0 {
		return Header{}, errors.New("imageproc: empty image data")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return Header{}, errors.New("imageproc: unrecognised image format (supported: PNG, JPEG, GIF, WebP, BMP)")
		}
		return Header{}, fmt.Errorf("imageproc: corrupt image header: %w", err)
	}
	if err := checkDims(format+" image", cfg.Width, cfg.Height); err != nil {
		return Header{}, err
	}
	return Header{Format: format, Width: cfg.Width, Height: cfg.Height}, nil
}

// CheckSize applies the image limits to an already decoded image of w×h
// (an ImageBitmap, a canvas); what names it in the error.
func CheckSize(what string, w, h int) error { return checkDims(what, w, h) }
