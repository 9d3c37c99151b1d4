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
	if format == "jpeg" {
		if err := checkJPEGComplete(data); err != nil {
			return Header{}, err
		}
	}
	return Header{Format: format, Width: cfg.Width, Height: cfg.Height}, nil
}

// CheckSize applies the image limits to an already decoded image of w×h
// (an ImageBitmap, a canvas); what names it in the error.
func CheckSize(what string, w, h int) error { return checkDims(what, w, h) }

// checkJPEGComplete refuses a JPEG whose last scan is not followed by an
// end-of-image marker: a download or copy cut short. PIL refuses such a
// file ("image file is truncated") and so does our Go decoder, but a
// browser's decoder (web/worker.js decodes JPEG with createImageBitmap)
// returns a partial image, grey or blurred where the data stops; checking
// here, before any decoder runs, keeps both paths alike. Inside
// entropy-coded data 0xFF is always followed by 0x00 or a restart marker,
// so the last 0xFF 0xDA is the start of the last scan (an EXIF thumbnail's
// own markers come before the image's first scan).
func checkJPEGComplete(data []byte) error {
	sos := bytes.LastIndex(data, []byte{0xFF, 0xDA})
	if sos < 0 {
		return errors.New("imageproc: truncated jpeg image: no scan data")
	}
	if !bytes.Contains(data[sos+2:], []byte{0xFF, 0xD9}) {
		return errors.New("imageproc: truncated jpeg image: the file ends inside its last scan (no end-of-image marker)")
	}
	return nil
}
