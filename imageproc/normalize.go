package imageproc

import (
	"fmt"
	"image"
)

// SigLIP's normalisation: rescale by 1/255, then (x - 0.5) / 0.5 per channel.
const (
	rescale = 1.0 / 255
	mean    = float32(0.5)
	std     = float32(0.5)
)

// pixelLUT maps a byte to its pixel value with transformers' arithmetic:
// rescale in float64, cast to float32, then subtract and divide in float32.
var pixelLUT = func() (t [256]float32) {
	for i := range t {
		t[i] = (float32(float64(i)*rescale) - mean) / std
	}
	return
}()

// PixelValue is the normalised value of one 8-bit channel sample.
func PixelValue(u8 uint8) float32 { return pixelLUT[u8] }

// PixelValuesInto writes src as channel-first [3,H,W] normalised float32 into
// dst, which must hold exactly 3*W*H values.
func PixelValuesInto(dst []float32, src *RGB) error {
	n := src.W * src.H
	if len(dst) != 3*n {
		return fmt.Errorf("imageproc: pixel buffer holds %d values, want 3×%d×%d = %d", len(dst), src.W, src.H, 3*n)
	}
	r, g, b := dst[:n], dst[n:2*n], dst[2*n:]
	for i := 0; i < n; i++ {
		r[i] = pixelLUT[src.Pix[3*i]]
		g[i] = pixelLUT[src.Pix[3*i+1]]
		b[i] = pixelLUT[src.Pix[3*i+2]]
	}
	return nil
}

// Preprocessor turns RGB images into size×size pixel values, reusing its
// coefficient tables and buffers between calls.
type Preprocessor struct {
	Size    int
	resizer Resizer
	resized *RGB
}

// Resize returns src resized to Size×Size (PIL bicubic). The result is owned
// by the Preprocessor and overwritten by the next call.
func (p *Preprocessor) Resize(src *RGB) (*RGB, error) {
	if p.Size <= 0 || p.Size > MaxSide {
		return nil, fmt.Errorf("imageproc: image size %d out of range 1..%d", p.Size, MaxSide)
	}
	if p.resized == nil || p.resized.W != p.Size {
		p.resized = NewRGB(p.Size, p.Size)
	}
	if err := p.resizer.ResizeInto(p.resized, src); err != nil {
		return nil, err
	}
	return p.resized, nil
}

// Into writes src's pixel values, [3,Size,Size], into dst.
func (p *Preprocessor) Into(dst []float32, src *RGB) error {
	r, err := p.Resize(src)
	if err != nil {
		return err
	}
	return PixelValuesInto(dst, r)
}

// Preprocess converts a decoded image to SigLIP pixel values [3,size,size].
func Preprocess(img image.Image, size int) ([]float32, error) {
	b := img.Bounds()
	if err := checkDims("image", b.Dx(), b.Dy()); err != nil {
		return nil, err
	}
	p := Preprocessor{Size: size}
	dst := make([]float32, 3*size*size)
	return dst, p.Into(dst, ToRGB(img))
}

// DecodePreprocess decodes image bytes and returns pixel values [3,size,size].
func DecodePreprocess(data []byte, size int) ([]float32, error) {
	img, err := Decode(data)
	if err != nil {
		return nil, err
	}
	return Preprocess(img, size)
}
