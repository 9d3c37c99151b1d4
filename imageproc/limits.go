package imageproc

import "fmt"

// The one set of image limits. Every path that turns bytes into pixels
// applies them before allocating pixel memory: the Go decoders (from the
// header), FromRGBA (raw RGBA from a canvas), the command line, Node and
// the browser (web/ reads them from the wasm module's siglipGo.limits,
// which is built from these constants, so JS never copies the numbers).
const (
	// MaxPixels is the largest image area accepted (36 megapixels). It
	// admits a 4032×3024 phone photo (12.2 MP) and a 6000×6000 image, and
	// refuses the 40-megapixel images the product treats as bad input:
	// decoding one would need 160 MB of RGBA in a browser tab before any
	// resizing happens.
	MaxPixels = 36_000_000
	// MaxSide is the largest width or height accepted. 16384 is the
	// largest canvas side every browser allows (Chrome and Firefox allow
	// 32767, Safari 16384), so an image the page can draw is one the Go
	// decoders accept and the reverse; a wider image would be a banner
	// thinner than 2197 pixels, nothing SigLIP's square input can use.
	MaxSide = 16384
)

// checkDims validates image dimensions against the limits; what names the
// input in the error (a format, "RGBA buffer"). CheckSize (header.go)
// exports it.
func checkDims(what string, w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("imageproc: %s has empty dimensions %d×%d", what, w, h)
	}
	if w > MaxSide || h > MaxSide {
		return fmt.Errorf("imageproc: %s is %d×%d, a side exceeds the limit of %d pixels", what, w, h, MaxSide)
	}
	if int64(w)*int64(h) > MaxPixels {
		return fmt.Errorf("imageproc: %s is %d×%d = %.1f megapixels, above the limit of %.0f megapixels",
			what, w, h, float64(w)*float64(h)/1e6, float64(MaxPixels)/1e6)
	}
	return nil
}
