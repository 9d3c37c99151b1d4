package imageproc

import (
	"bytes"
	"image"
	"image/jpeg"
	"sync"
	"testing"
	"time"

	"github.com/siglip-wasm/siglip-wasm/imageproc/ljpeg"
)

var photo = sync.OnceValue(func() []byte {
	// A synthetic 4032×3024 "photo": smooth gradients plus texture, q90 JPEG
	// (4:2:0, like a phone camera's), built here rather than committed.
	const w, h = 4032, 3024
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := img.PixOffset(x, y)
			img.Pix[i] = uint8(x * 255 / w)
			img.Pix[i+1] = uint8(y * 255 / h)
			img.Pix[i+2] = uint8((x*x + y*7) >> 5)
			img.Pix[i+3] = 255
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return b.Bytes()
})

// BenchmarkPhotoTo256: decode a 4032×3024 JPEG and preprocess it to 256×256.
func BenchmarkPhotoTo256(b *testing.B) {
	data := photo()
	c0, ok := cpuTime()
	for b.Loop() {
		if _, err := DecodePreprocess(data, 256); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, c0, ok)
}

// reportCPU adds a cpu-ms/op metric (see cpuTime).
func reportCPU(b *testing.B, c0 time.Duration, ok bool) {
	if c1, ok1 := cpuTime(); ok && ok1 {
		b.ReportMetric(float64(c1-c0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkPhotoResizeOnly: the RGB conversion is done; resize and normalise
// with a reused Preprocessor (the steady state of a page classifying photos).
func BenchmarkPhotoResizeOnly(b *testing.B) {
	img, err := Decode(photo())
	if err != nil {
		b.Fatal(err)
	}
	rgb := ToRGB(img)
	p := Preprocessor{Size: 256}
	dst := make([]float32, 3*256*256)
	c0, ok := cpuTime()
	for b.Loop() {
		if err := p.Into(dst, rgb); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, c0, ok)
}

// BenchmarkJPEGDecode12MP: the 4032×3024 q90 4:2:0 JPEG to RGB, with Go's
// image/jpeg (the decoder before ljpeg) and with ljpeg, both through the same
// libjpeg upsampling and colour conversion; run both in one process and
// compare (go test -bench JPEGDecode12MP -count 5).
func BenchmarkJPEGDecode12MP(b *testing.B) {
	data := photo()
	for _, dec := range []struct {
		name string
		fn   func([]byte) (image.Image, error)
	}{
		{"stdlib", func(d []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(d)) }},
		{"ljpeg", func(d []byte) (image.Image, error) { return ljpeg.Decode(bytes.NewReader(d)) }},
	} {
		b.Run(dec.name, func(b *testing.B) {
			c0, ok := cpuTime()
			for b.Loop() {
				img, err := dec.fn(data)
				if err != nil {
					b.Fatal(err)
				}
				ToRGB(libjpegYCbCr{img.(*image.YCbCr)})
			}
			reportCPU(b, c0, ok)
		})
	}
}
