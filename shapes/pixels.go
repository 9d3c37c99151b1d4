package shapes

import "github.com/siglip-wasm/siglip-wasm/imageproc"

// PixelValues turns a sample into the model's pixel values [3,size,size]
// through imageproc's PIL-exact path (for the demo, size = 128 = the render
// size, where the resize is the identity, as in PIL).
func PixelValues(s Sample, size int) ([]float32, error) {
	p := imageproc.Preprocessor{Size: size}
	dst := make([]float32, 3*size*size)
	return dst, p.Into(dst, &imageproc.RGB{W: s.W, H: s.H, Pix: s.Pix})
}
