package imageproc

import "image"

// libjpegYCbCr marks a YCbCr image that came from a JPEG, so that ToRGB
// reproduces libjpeg(-turbo)'s decoder output path, which PIL uses: "fancy"
// (triangle-filter) chroma upsampling for 4:2:2 and 4:2:0 (jdsample.c) and
// the fixed-point YCbCr→RGB tables of jdcolor.c. Go's own conversion repeats
// chroma samples and rounds differently, a few levels away from PIL's pixels.
// The IDCTs still differ (Go's vs libjpeg's islow), so JPEG stays inexact.
type libjpegYCbCr struct{ *image.YCbCr }

const (
	jScaleBits = 16
	jOneHalf   = 1 << (jScaleBits - 1)
)

func jFix(x float64) int32 { return int32(x*(1<<jScaleBits) + 0.5) }

// jdcolor.c's build_ycc_rgb_table.
var crR, cbB, crG, cbG = func() (crR, cbB, crG, cbG [256]int32) {
	for i := range 256 {
		x := int32(i - 128)
		crR[i] = (jFix(1.40200)*x + jOneHalf) >> jScaleBits
		cbB[i] = (jFix(1.77200)*x + jOneHalf) >> jScaleBits
		crG[i] = -jFix(0.71414) * x
		cbG[i] = -jFix(0.34414)*x + jOneHalf
	}
	return
}()

func limit(v int32) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// yccToRGB is jdcolor.c's ycc_rgb_convert for one pixel.
func yccToRGB(y, cb, cr uint8) (uint8, uint8, uint8) {
	yy := int32(y)
	return limit(yy + crR[cr]), limit(yy + (cbG[cb]+crG[cr])>>jScaleBits), limit(yy + cbB[cb])
}

// libjpegToRGB converts with libjpeg's upsampling and colour tables.
func libjpegToRGB(m *image.YCbCr, out *RGB) {
	w, h := out.W, out.H
	b := m.Rect
	var hs, vs int // chroma subsampling factors
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
		hs, vs = 1, 1
	case image.YCbCrSubsampleRatio422:
		hs, vs = 2, 1
	case image.YCbCrSubsampleRatio420:
		hs, vs = 2, 2
	default: // 4:4:0, 4:1:1, 4:1:0: replicate chroma, libjpeg's colour tables
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				yi := m.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := m.COffset(b.Min.X+x, b.Min.Y+y)
				o := (y*w + x) * 3
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = yccToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			}
		}
		return
	}
	cw := (w + hs - 1) / hs // libjpeg's downsampled_width
	ch := (h + vs - 1) / vs
	cbRow := make([]uint8, cw*hs)
	crRow := make([]uint8, cw*hs)
	for y := 0; y < h; y++ {
		cy := y / vs
		// The vertically nearer row is cy; the further one is above for even
		// output rows, below for odd ones, replicated at the image edges.
		ny := cy
		if vs == 2 {
			if y%2 == 0 {
				ny = max(cy-1, 0)
			} else {
				ny = min(cy+1, ch-1)
			}
		}
		r0 := cy * m.CStride
		r1 := ny * m.CStride
		upsampleRow(cbRow, m.Cb[r0:r0+cw], m.Cb[r1:r1+cw], hs, vs)
		upsampleRow(crRow, m.Cr[r0:r0+cw], m.Cr[r1:r1+cw], hs, vs)
		yrow := m.Y[y*m.YStride:]
		for x := 0; x < w; x++ {
			o := (y*w + x) * 3
			out.Pix[o], out.Pix[o+1], out.Pix[o+2] = yccToRGB(yrow[x], cbRow[x], crRow[x])
		}
	}
}

// upsampleRow writes one output row of chroma: near is the nearer input row,
// far the further (used only for 4:2:0).
func upsampleRow(dst, near, far []uint8, hs, vs int) {
	n := len(near)
	switch {
	case hs == 1:
		copy(dst, near)
	case vs == 1: // jdsample.c h2v1_fancy_upsample
		if n == 1 {
			dst[0], dst[1] = near[0], near[0]
			return
		}
		v := int32(near[0])
		dst[0] = near[0]
		dst[1] = uint8((v*3 + int32(near[1]) + 2) >> 2)
		for i := 1; i < n-1; i++ {
			v := int32(near[i]) * 3
			dst[2*i] = uint8((v + int32(near[i-1]) + 1) >> 2)
			dst[2*i+1] = uint8((v + int32(near[i+1]) + 2) >> 2)
		}
		v = int32(near[n-1])
		dst[2*n-2] = uint8((v*3 + int32(near[n-2]) + 1) >> 2)
		dst[2*n-1] = near[n-1]
	default: // jdsample.c h2v2_fancy_upsample
		col := func(i int) int32 { return int32(near[i])*3 + int32(far[i]) }
		if n == 1 {
			s := col(0)
			dst[0], dst[1] = uint8((s*4+8)>>4), uint8((s*4+7)>>4)
			return
		}
		this, next := col(0), col(1)
		dst[0] = uint8((this*4 + 8) >> 4)
		dst[1] = uint8((this*3 + next + 7) >> 4)
		last := this
		this = next
		for i := 1; i < n-1; i++ {
			next = col(i + 1)
			dst[2*i] = uint8((this*3 + last + 8) >> 4)
			dst[2*i+1] = uint8((this*3 + next + 7) >> 4)
			last, this = this, next
		}
		dst[2*n-2] = uint8((this*3 + last + 8) >> 4)
		dst[2*n-1] = uint8((this*4 + 7) >> 4)
	}
}
