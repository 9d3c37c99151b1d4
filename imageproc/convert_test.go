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

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func decodeRGB(t *testing.T, data []byte) *RGB {
	t.Helper()
	img, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return ToRGB(img)
}

func wantPix(t *testing.T, what string, got *RGB, want ...uint8) {
	t.Helper()
	if !bytes.Equal(got.Pix, want) {
		t.Errorf("%s: got %v, want %v", what, got.Pix, want)
	}
}

// TestConvertRGB checks each source mode against what PIL's convert("RGB")
// gives for it.
func TestConvertRGB(t *testing.T) {
	// RGBA with alpha: dropped, not composited and not premultiplied.
	n := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	n.SetNRGBA(0, 0, color.NRGBA{200, 100, 50, 0})
	n.SetNRGBA(1, 0, color.NRGBA{10, 20, 30, 128})
	wantPix(t, "NRGBA PNG", decodeRGB(t, encodePNG(t, n)), 200, 100, 50, 10, 20, 30)

	// 16-bit RGB: most significant byte.
	r := image.NewRGBA64(image.Rect(0, 0, 1, 1))
	r.SetRGBA64(0, 0, color.RGBA64{0x12ff, 0xab01, 0x00ff, 0xffff})
	wantPix(t, "RGB 16-bit PNG", decodeRGB(t, encodePNG(t, r)), 0x12, 0xab, 0x00)

	// 16-bit RGBA: most significant byte, alpha dropped.
	n64 := image.NewNRGBA64(image.Rect(0, 0, 1, 1))
	n64.SetNRGBA64(0, 0, color.NRGBA64{0x8080, 0x7fff, 0xffff, 0x1234})
	wantPix(t, "RGBA 16-bit PNG", decodeRGB(t, encodePNG(t, n64)), 0x80, 0x7f, 0xff)

	// 16-bit grey: PIL's I;16 → RGB saturates at 255.
	g16 := image.NewGray16(image.Rect(0, 0, 3, 1))
	g16.SetGray16(0, 0, color.Gray16{200})
	g16.SetGray16(1, 0, color.Gray16{256})
	g16.SetGray16(2, 0, color.Gray16{0xffff})
	wantPix(t, "grey 16-bit PNG", decodeRGB(t, encodePNG(t, g16)), 200, 200, 200, 255, 255, 255, 255, 255, 255)

	// Grey L: replicated.
	g := image.NewGray(image.Rect(0, 0, 1, 1))
	g.SetGray(0, 0, color.Gray{77})
	wantPix(t, "grey PNG", decodeRGB(t, encodePNG(t, g)), 77, 77, 77)

	// Palette with a translucent entry: the entry's colour, alpha dropped.
	p := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.NRGBA{1, 2, 3, 255}, color.NRGBA{250, 128, 4, 10}})
	p.SetColorIndex(1, 0, 1)
	wantPix(t, "palette PNG", decodeRGB(t, encodePNG(t, p)), 1, 2, 3, 250, 128, 4)

	// GIF first frame.
	var gb bytes.Buffer
	p2 := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.RGBA{9, 8, 7, 255}, color.RGBA{100, 0, 200, 255}})
	p2.SetColorIndex(0, 0, 1)
	if err := gif.Encode(&gb, p2, nil); err != nil {
		t.Fatal(err)
	}
	wantPix(t, "GIF", decodeRGB(t, gb.Bytes()), 100, 0, 200, 9, 8, 7)

	// GIF with a transparent index: PIL shows the entry's palette colour.
	gb.Reset()
	p3 := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.RGBA{9, 8, 7, 255}, color.RGBA{0, 0, 0, 0}})
	p3.SetColorIndex(0, 0, 1)
	if err := gif.Encode(&gb, p3, nil); err != nil {
		t.Fatal(err)
	}
	// Go's encoder writes the transparent entry as black with index 1 transparent;
	// patch its colour in the global table to (50, 60, 70) as another encoder might.
	raw := gb.Bytes()
	if raw[10]&0x80 == 0 {
		t.Fatal("expected a global colour table")
	}
	copy(raw[13+3:], []byte{50, 60, 70})
	wantPix(t, "GIF transparent", decodeRGB(t, raw), 50, 60, 70, 9, 8, 7)

	// BMP.
	var bb bytes.Buffer
	rgba := image.NewRGBA(image.Rect(0, 0, 1, 2))
	rgba.SetRGBA(0, 0, color.RGBA{1, 2, 3, 255})
	rgba.SetRGBA(0, 1, color.RGBA{4, 5, 6, 255})
	if err := bmp.Encode(&bb, rgba); err != nil {
		t.Fatal(err)
	}
	wantPix(t, "BMP", decodeRGB(t, bb.Bytes()), 1, 2, 3, 4, 5, 6)

	// Canvas RGBA: alpha dropped.
	c, err := FromRGBA([]byte{1, 2, 3, 0, 4, 5, 6, 255}, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	wantPix(t, "FromRGBA", c, 1, 2, 3, 4, 5, 6)
}

func TestResizeRejectsBadImages(t *testing.T) {
	if _, err := ResizeBicubic(NewRGB(4, 4), 0, 4); err == nil {
		t.Error("0-wide target accepted")
	}
	if _, err := ResizeBicubic(&RGB{W: 4, H: 4, Pix: make([]uint8, 7)}, 2, 2); err == nil {
		t.Error("short source accepted")
	}
	if _, err := ResizeBicubic(nil, 2, 2); err == nil {
		t.Error("nil source accepted")
	}
	p := Preprocessor{Size: -1}
	if _, err := p.Resize(NewRGB(2, 2)); err == nil {
		t.Error("negative size accepted")
	}
}

// TestResizeIdentity: PIL returns a copy when the size does not change.
func TestResizeIdentity(t *testing.T) {
	src := NewRGB(37, 23)
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 7)
	}
	got, err := ResizeBicubic(src, 37, 23)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Pix, src.Pix) {
		t.Error("resize to the same size is not the identity")
	}
	// One axis unchanged: only the other pass runs; a constant image stays constant.
	flat := NewRGB(50, 20)
	for i := range flat.Pix {
		flat.Pix[i] = 131
	}
	for _, sz := range [][2]int{{50, 7}, {13, 20}, {200, 20}, {50, 90}} {
		out, err := ResizeBicubic(flat, sz[0], sz[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Pix {
			if v != 131 {
				t.Fatalf("%v: constant image changed to %d", sz, v)
			}
		}
	}
}

// TestJPEGOddSizes: libjpeg-style upsampling handles every edge case (one
// chroma column or row, odd sizes) and stays close to Go's own conversion on
// a smooth picture.
func TestJPEGOddSizes(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {2, 1}, {1, 2}, {3, 5}, {17, 9}, {64, 33}} {
		img := image.NewRGBA(image.Rect(0, 0, sz[0], sz[1]))
		for i := range img.Pix {
			img.Pix[i] = uint8(60 + (i*3)%120)
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
			t.Fatal(err)
		}
		dec, err := Decode(b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		lj, ok := dec.(libjpegYCbCr)
		if !ok {
			t.Fatalf("%v: decoded %T", sz, dec)
		}
		ours, goConv := ToRGB(dec), ToRGB(lj.YCbCr)
		if ours.W != sz[0] || ours.H != sz[1] {
			t.Fatalf("%v: got %d×%d", sz, ours.W, ours.H)
		}
		for i := range ours.Pix {
			if d := int(ours.Pix[i]) - int(goConv.Pix[i]); d > 40 || d < -40 {
				t.Fatalf("%v: byte %d: libjpeg path %d, Go %d", sz, i, ours.Pix[i], goConv.Pix[i])
			}
		}
	}
}
