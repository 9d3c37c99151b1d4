package imageproc

import (
	"fmt"
	"image"
	"image/color"
)

// RGB is an 8-bit RGB image, rows top to bottom, pixels interleaved R,G,B
// (what PIL's mode "RGB" holds): Pix has W*H*3 bytes.
type RGB struct {
	W, H int
	Pix  []uint8
}

// NewRGB allocates a zeroed w×h RGB image.
func NewRGB(w, h int) *RGB { return &RGB{W: w, H: h, Pix: make([]uint8, w*h*3)} }

// FromRGBA takes non-premultiplied RGBA pixels (a canvas's ImageData: w*h*4
// bytes, rows top to bottom) and drops alpha, as PIL's convert("RGB") does.
func FromRGBA(pix []byte, w, h int) (*RGB, error) {
	if err := checkDims("RGBA buffer", w, h); err != nil {
		return nil, err
	}
	if len(pix) != w*h*4 {
		return nil, fmt.Errorf("imageproc: RGBA buffer has %d bytes, want %d×%d×4 = %d", len(pix), w, h, w*h*4)
	}
	out := NewRGB(w, h)
	for i, j := 0, 0; i < len(pix); i, j = i+4, j+3 {
		out.Pix[j], out.Pix[j+1], out.Pix[j+2] = pix[i], pix[i+1], pix[i+2]
	}
	return out, nil
}

// ToRGB converts a decoded image to RGB the way PIL's convert("RGB") does for
// the mode PIL would have opened it in (see the package comment).
func ToRGB(img image.Image) *RGB {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := NewRGB(w, h)
	p := out.Pix
	switch m := img.(type) {
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				o := (y*w + x) * 3
				p[o], p[o+1], p[o+2] = row[4*x], row[4*x+1], row[4*x+2]
			}
		}
	case *image.RGBA:
		// Go's RGBA is premultiplied; decoders only produce it for opaque
		// images, where it equals the straight values. Un-premultiply otherwise.
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				o := (y*w + x) * 3
				if a := row[4*x+3]; a == 255 {
					p[o], p[o+1], p[o+2] = row[4*x], row[4*x+1], row[4*x+2]
				} else {
					c := color.NRGBAModel.Convert(color.RGBA{row[4*x], row[4*x+1], row[4*x+2], a}).(color.NRGBA)
					p[o], p[o+1], p[o+2] = c.R, c.G, c.B
				}
			}
		}
	case *image.NRGBA64:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				o := (y*w + x) * 3
				p[o], p[o+1], p[o+2] = row[8*x], row[8*x+2], row[8*x+4] // most significant bytes
			}
		}
	case *image.RGBA64:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				o := (y*w + x) * 3
				if row[8*x+6] == 0xff && row[8*x+7] == 0xff {
					p[o], p[o+1], p[o+2] = row[8*x], row[8*x+2], row[8*x+4]
				} else {
					c := color.NRGBA64Model.Convert(m.RGBA64At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA64)
					p[o], p[o+1], p[o+2] = uint8(c.R>>8), uint8(c.G>>8), uint8(c.B>>8)
				}
			}
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				o := (y*w + x) * 3
				v := row[x]
				p[o], p[o+1], p[o+2] = v, v, v
			}
		}
	case *image.Gray16:
		// PIL: mode I;16, and I;16→RGB clips values above 255 (it does not scale).
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				o := (y*w + x) * 3
				v := row[2*x+1]
				if row[2*x] != 0 {
					v = 255
				}
				p[o], p[o+1], p[o+2] = v, v, v
			}
		}
	case *image.Paletted:
		var lut [256][3]uint8
		for i, c := range m.Palette {
			lut[i] = straightRGB(c)
		}
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				o := (y*w + x) * 3
				c := lut[row[x]]
				p[o], p[o+1], p[o+2] = c[0], c[1], c[2]
			}
		}
	case libjpegYCbCr:
		libjpegToRGB(m.YCbCr, out)
	case *image.YCbCr:
		ycbcrToRGB(m, b, w, h, p)
	case *image.NYCbCrA: // alpha dropped, as PIL's convert("RGB")
		ycbcrToRGB(&m.YCbCr, b, w, h, p)
	case *image.CMYK:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				o := (y*w + x) * 3
				p[o], p[o+1], p[o+2] = color.CMYKToRGB(row[4*x], row[4*x+1], row[4*x+2], row[4*x+3])
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				o := (y*w + x) * 3
				c := straightRGB(img.At(b.Min.X+x, b.Min.Y+y))
				p[o], p[o+1], p[o+2] = c[0], c[1], c[2]
			}
		}
	}
	return out
}

// straightRGB returns a colour's non-premultiplied 8-bit RGB (alpha dropped).
func straightRGB(c color.Color) [3]uint8 {
	switch c := c.(type) {
	case color.NRGBA:
		return [3]uint8{c.R, c.G, c.B}
	case color.RGBA:
		if c.A == 255 {
			return [3]uint8{c.R, c.G, c.B}
		}
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return [3]uint8{uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8)}
}

// ycbcrToRGB converts with Go's YCbCr→RGB (used for YCbCr images that did
// not come from our libjpeg-exact JPEG path).
func ycbcrToRGB(m *image.YCbCr, b image.Rectangle, w, h int, p []uint8) {
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			yi := m.YOffset(b.Min.X+x, b.Min.Y+y)
			ci := m.COffset(b.Min.X+x, b.Min.Y+y)
			o := (y*w + x) * 3
			p[o], p[o+1], p[o+2] = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
		}
	}
}
