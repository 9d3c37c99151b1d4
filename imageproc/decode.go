package imageproc

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // registers GIF (first frame)
	_ "image/jpeg"
	_ "image/png"

	"github.com/siglip-wasm/siglip-wasm/imageproc/ljpeg"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"
)

// Decode reads a PNG, JPEG, GIF (first frame), WebP or BMP image. The header is
// read first and images with empty or oversized dimensions (see MaxPixels,
// MaxSide) are refused before any pixel memory is allocated.
func Decode(data []byte) (image.Image, error) {
	hdr, err := DecodeHeader(data)
	if err != nil {
		return nil, err
	}
	format := hdr.Format
	var img image.Image
	if format == "jpeg" {
		img, err = ljpeg.Decode(bytes.NewReader(data)) // libjpeg-turbo's samples (ljpeg/doc.go)
	} else {
		img, _, err = image.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("imageproc: corrupt or truncated %s image: %w", format, err)
	}
	b := img.Bounds()
	if err := checkDims(format+" image", b.Dx(), b.Dy()); err != nil {
		return nil, err
	}
	if p, ok := img.(*image.Paletted); ok && format == "gif" {
		restoreGIFTransparentColour(data, p)
	}
	if y, ok := img.(*image.YCbCr); ok && format == "jpeg" {
		img = libjpegYCbCr{y}
	}
	if format == "png" && isPNGGray16(data) {
		// PIL opens 16-bit grey as I;16 whatever the tRNS chunk says; Go turns
		// grey+tRNS into NRGBA64. Back to Gray16 so ToRGB saturates like PIL.
		if n, ok := img.(*image.NRGBA64); ok {
			g := image.NewGray16(n.Rect)
			for y := n.Rect.Min.Y; y < n.Rect.Max.Y; y++ {
				for x := n.Rect.Min.X; x < n.Rect.Max.X; x++ {
					i := n.PixOffset(x, y)
					j := g.PixOffset(x, y)
					g.Pix[j], g.Pix[j+1] = n.Pix[i], n.Pix[i+1]
				}
			}
			img = g
		}
	}
	return img, nil
}

// isPNGGray16 reports whether a PNG's IHDR says 16-bit greyscale (colour type 0).
func isPNGGray16(data []byte) bool {
	// 8-byte signature, 4-byte length, "IHDR", width, height, depth, colour type.
	if len(data) < 26 || string(data[12:16]) != "IHDR" {
		return false
	}
	return data[24] == 16 && data[25] == 0
}
