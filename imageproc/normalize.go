package imageproc

import (
	"fmt"
	"image"
)

// defaultLUT is SigLIP's normalisation (DefaultProcessing's), the table
// of PixelValue and PixelValuesInto.
var defaultLUT = DefaultProcessing(1).lut()

// PixelValue is the normalised value of one 8-bit channel sample under
// SigLIP's default normalisation (rescale 1/255, mean and std 0.5).
func PixelValue(u8 uint8) float32 { return defaultLUT[0][u8] }

// PixelValuesInto writes src as channel-first [3,H,W] normalised float32 into
// dst, which must hold exactly 3*W*H values (SigLIP's default normalisation).
func PixelValuesInto(dst []float32, src *RGB) error { return pixelValuesLUT(dst, src, &defaultLUT) }

func pixelValuesLUT(dst []float32, src *RGB, lut *[3][256]float32) error {
	n := src.W * src.H
	if len(dst) != 3*n {
		return fmt.Errorf("imageproc: pixel buffer holds %d values, want 3×%d×%d = %d", len(dst), src.W, src.H, 3*n)
	}
	r, g, b := dst[:n], dst[n:2*n], dst[2*n:]
	lr, lg, lb := &lut[0], &lut[1], &lut[2]
	for i := 0; i < n; i++ {
		r[i] = lr[src.Pix[3*i]]
		g[i] = lg[src.Pix[3*i+1]]
		b[i] = lb[src.Pix[3*i+2]]
	}
	return nil
}

// Preprocessor turns RGB images into size×size pixel values, reusing its
// coefficient tables and buffers between calls. The zero Processing (only
// Size set) is SigLIP's default; NewPreprocessor takes a model's own.
type Preprocessor struct {
	Size    int
	lut     *[3][256]float32
	resizer Resizer
	resized *RGB
}

// NewPreprocessor returns a Preprocessor for p (from
// ParsePreprocessorConfig): its size, filter and normalisation.
func NewPreprocessor(p Processing) *Preprocessor {
	lut := p.lut()
	return &Preprocessor{Size: p.Size, lut: &lut, resizer: Resizer{Filter: p.resampleOrDefault()}}
}

// Resize returns src resized to Size×Size (PIL bicubic, or the filter of
// the Processing it was made with). The result is owned
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
	if p.lut != nil {
		return pixelValuesLUT(dst, r, p.lut)
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

// PreprocessWith is Preprocess under a model's Processing.
func PreprocessWith(img image.Image, proc Processing) ([]float32, error) {
	b := img.Bounds()
	if err := checkDims("image", b.Dx(), b.Dy()); err != nil {
		return nil, err
	}
	dst := make([]float32, 3*proc.Size*proc.Size)
	return dst, NewPreprocessor(proc).Into(dst, ToRGB(img))
}

// DecodePreprocess decodes image bytes and returns pixel values [3,size,size].
func DecodePreprocess(data []byte, size int) ([]float32, error) {
	img, err := Decode(data)
	if err != nil {
		return nil, err
	}
	return Preprocess(img, size)
}
