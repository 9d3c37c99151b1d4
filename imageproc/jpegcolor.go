package imageproc

import "image"

// libjpegYCbCr marks a YCbCr image that came from a JPEG (decoded by ljpeg,
// whose planes are libjpeg's), so that ToRGB finishes libjpeg(-turbo)'s
// decoder output path, which PIL uses: "fancy" (triangle-filter) chroma
// upsampling (jdsample.c) and the fixed-point YCbCr→RGB tables of jdcolor.c.
// Go's own conversion repeats chroma samples and rounds differently.
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

// clampTable[v+clampOffset] is v clamped to [0,255] for every v that
// yccToRGB can form (y in [0,255] plus a table entry in [-227,226]).
const clampOffset = 256

var clampTable = func() (t [768]uint8) {
	for i := range t {
		t[i] = uint8(min(max(i-clampOffset, 0), 255))
	}
	return
}()

func limit(v int32) uint8 { return clampTable[v+clampOffset] }

// yccToRGB is jdcolor.c's ycc_rgb_convert for one pixel.
func yccToRGB(y, cb, cr uint8) (uint8, uint8, uint8) {
	yy := int32(y)
	return limit(yy + crR[cr]), limit(yy + (cbG[cb]+crG[cr])>>jScaleBits), limit(yy + cbB[cb])
}

// libjpegToRGB converts with libjpeg's upsampling and colour tables. The
// method per chroma layout is jdsample.c's choice (jinit_upsampler) with
// do_fancy_upsampling on, PIL's setting: triangle filters for h2v1 and h2v2
// when the chroma plane is more than 2 samples wide, for h1v2 always; plain
// replication otherwise (narrow h2 planes, 4:1:1, 4:1:0).
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
	case image.YCbCrSubsampleRatio440:
		hs, vs = 1, 2
	case image.YCbCrSubsampleRatio411:
		hs, vs = 4, 1
	case image.YCbCrSubsampleRatio410:
		hs, vs = 4, 2
	}
	cw := (w + hs - 1) / hs // libjpeg's downsampled_width
	ch := (h + vs - 1) / vs
	fancy := (hs == 2 && cw > 2) || (hs == 1 && vs == 2)
	if !fancy || hs == 1 && vs == 1 {
		// Full-size chroma, or replication: each chroma sample covers an
		// hs×vs cell of pixels.
		for y := 0; y < h; y++ {
			yrow := m.Y[m.YOffset(b.Min.X, b.Min.Y+y):]
			crow := m.COffset(b.Min.X, b.Min.Y+y)
			cb, cr := m.Cb[crow:], m.Cr[crow:]
			o := y * w * 3
			for x := 0; x < w; x++ {
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = yccToRGB(yrow[x], cb[x/hs], cr[x/hs])
				o += 3
			}
		}
		return
	}
	cbRow := make([]uint8, cw*hs)
	crRow := make([]uint8, cw*hs)
	c0 := m.COffset(b.Min.X, b.Min.Y)
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
		r0 := c0 + cy*m.CStride
		r1 := c0 + ny*m.CStride
		upsampleRow(cbRow, m.Cb[r0:r0+cw], m.Cb[r1:r1+cw], hs, vs, y%2)
		upsampleRow(crRow, m.Cr[r0:r0+cw], m.Cr[r1:r1+cw], hs, vs, y%2)
		yrow := m.Y[m.YOffset(b.Min.X, b.Min.Y+y):]
		o := y * w * 3
		for x := 0; x < w; x++ {
			out.Pix[o], out.Pix[o+1], out.Pix[o+2] = yccToRGB(yrow[x], cbRow[x], crRow[x])
			o += 3
		}
	}
}

// upsampleRow writes one output row of chroma with libjpeg's triangle
// filters: near is the nearer input row, far the further (vertical filters
// only); odd says whether far is the row below (it sets h1v2's rounding).
// near has at least 3 samples when hs == 2.
func upsampleRow(dst, near, far []uint8, hs, vs, odd int) {
	n := len(near)
	switch {
	case hs == 1: // jdsample.c h1v2_fancy_upsample
		bias := int32(1 + odd)
		for i := range n {
			dst[i] = uint8((int32(near[i])*3 + int32(far[i]) + bias) >> 2)
		}
	case vs == 1: // jdsample.c h2v1_fancy_upsample
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
