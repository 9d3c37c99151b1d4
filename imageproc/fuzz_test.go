package imageproc

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"golang.org/x/image/bmp"
)

// FuzzDecodePreprocess: no input may panic or hang Decode, ToRGB or the
// resize; any error must come back as an error. Run with
// `go test -fuzz FuzzDecodePreprocess ./imageproc/`.
func FuzzDecodePreprocess(f *testing.F) {
	img := image.NewNRGBA(image.Rect(0, 0, 7, 5))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 37)
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	f.Add(b.Bytes())
	b.Reset()
	jpeg.Encode(&b, img, nil)
	f.Add(b.Bytes())
	b.Reset()
	pal := image.NewPaletted(image.Rect(0, 0, 4, 3), color.Palette{color.Black, color.White})
	gif.Encode(&b, pal, nil)
	f.Add(b.Bytes())
	b.Reset()
	pal2 := image.NewPaletted(image.Rect(0, 0, 3, 2), color.Palette{color.White, color.RGBA{}})
	b.Reset()
	gif.Encode(&b, pal2, nil) // with a transparent index
	f.Add(b.Bytes())
	b.Reset()
	bmp.Encode(&b, img)
	f.Add(b.Bytes())
	g16 := image.NewGray16(image.Rect(0, 0, 3, 2))
	b.Reset()
	png.Encode(&b, g16)
	f.Add(b.Bytes())
	f.Add(pngHeader(4, 4))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Images up to MaxPixels are legal, but a few bytes of WebP or
		// progressive JPEG can claim 36 MP and cost seconds each: keep the
		// fuzzer fast by skipping headers above 1 MP (the large path is
		// exercised by the benchmarks and TestBadInput's limit checks).
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil && cfg.Width*cfg.Height > 1<<20 {
			return
		}
		px, err := DecodePreprocess(data, 16)
		if err != nil {
			return
		}
		if len(px) != 3*16*16 {
			t.Fatalf("got %d values", len(px))
		}
		for _, v := range px {
			if !(v >= -1 && v <= 1) {
				t.Fatalf("pixel value %g outside [-1, 1]", v)
			}
		}
	})
}
