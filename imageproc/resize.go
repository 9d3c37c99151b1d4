package imageproc

import (
	"fmt"
	"math"
)

// precisionBits is Pillow's PRECISION_BITS: 32 bits less 8 for the result and
// 2 for the overflow of filters with negative lobes.
const precisionBits = 32 - 8 - 2

// Filter is a PIL resampling filter, numbered as PIL.Image.Resampling (and
// as preprocessor_config.json's "resample" field). The zero value means
// Bicubic, SigLIP's default.
type Filter int

const (
	// Bilinear is PIL's BILINEAR (2): the triangle filter, support 1,
	// antialiased when shrinking. SigLIP 2's processors use it.
	Bilinear Filter = 2
	// Bicubic is PIL's BICUBIC (3): a = -0.5, support 2, antialiased when
	// shrinking. SigLIP's processors use it.
	Bicubic Filter = 3
)

func (f Filter) String() string {
	switch f {
	case Bilinear:
		return "bilinear"
	case 0, Bicubic:
		return "bicubic"
	}
	return fmt.Sprintf("PIL filter %d", int(f))
}

// kernel returns the filter's function and support radius (Pillow's
// filter table), or an error for a filter this package does not port.
func (f Filter) kernel() (func(float64) float64, float64, error) {
	switch f {
	case 0, Bicubic:
		return bicubic, 2, nil
	case Bilinear:
		return bilinear, 1, nil
	}
	return nil, 0, fmt.Errorf("imageproc: resample filter %d is not supported (want %d bilinear or %d bicubic)", int(f), int(Bilinear), int(Bicubic))
}

// bilinear is Pillow's bilinear_filter (a triangle).
func bilinear(x float64) float64 {
	if x < 0 {
		x = -x
	}
	if x < 1 {
		return 1 - x
	}
	return 0
}

// bicubic is Pillow's bicubic_filter with a = -0.5. Products are wrapped in
// float64() so that no compiler fuses them into FMAs: Pillow's x86-64 build
// rounds every operation, and the coefficients must match to the last bit.
func bicubic(x float64) float64 {
	const a = -0.5
	if x < 0 {
		x = -x
	}
	if x < 1 {
		t := float64((a+2.0)*x) - (a + 3.0)
		t = float64(t * x)
		return float64(t*x) + 1
	}
	if x < 2 {
		t := float64((x-5)*x) + 8
		t = float64(t*x) - 4
		return t * a
	}
	return 0
}

// coeffs holds one pass's filter: for output i, the taps start at input
// Bounds[2i] and number Bounds[2i+1]; K[i*KSize : i*KSize+taps] are their
// fixed-point weights.
type coeffs struct {
	KSize  int
	Bounds []int
	K      []int32
}

// precomputeCoeffs ports Pillow's precompute_coeffs + normalize_coeffs_8bpc for
// the box (0, inSize): weights are computed and normalised in double precision,
// then rounded half away from zero to 22-bit fixed point.
func precomputeCoeffs(inSize, outSize int, filter func(float64) float64, filterSupport float64) coeffs {
	// Pillow takes the box as float32; in1-in0 is exact for sizes below 2^24.
	scale := float64(inSize) / float64(outSize)
	filterscale := scale
	if filterscale < 1 {
		filterscale = 1
	}
	support := filterSupport * filterscale
	ksize := int(math.Ceil(support))*2 + 1
	c := coeffs{KSize: ksize, Bounds: make([]int, outSize*2), K: make([]int32, outSize*ksize)}
	w := make([]float64, ksize)
	ss := 1.0 / filterscale
	for xx := 0; xx < outSize; xx++ {
		center := float64((float64(xx) + 0.5) * scale) // in0 = 0
		xmin := int(center - support + 0.5)            // C truncation toward zero
		if xmin < 0 {
			xmin = 0
		}
		xmax := int(center + support + 0.5)
		if xmax > inSize {
			xmax = inSize
		}
		xmax -= xmin
		ww := 0.0
		for x := 0; x < xmax; x++ {
			v := filter(float64((float64(x+xmin) - center + 0.5) * ss))
			w[x] = v
			ww += v
		}
		k := c.K[xx*ksize : xx*ksize+ksize]
		for x := 0; x < xmax; x++ {
			v := w[x]
			if ww != 0 {
				v /= ww
			}
			if v < 0 {
				k[x] = int32(-0.5 + float64(v*(1<<precisionBits)))
			} else {
				k[x] = int32(0.5 + float64(v*(1<<precisionBits)))
			}
		}
		c.Bounds[2*xx] = xmin
		c.Bounds[2*xx+1] = xmax
	}
	return c
}

// clip8 is Pillow's clip8: drop the fraction (arithmetic shift) and saturate.
func clip8(ss int32) uint8 {
	v := ss >> precisionBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// ResizeBicubic resizes to w×h with PIL's Image.resize(..., BICUBIC), which
// antialiases when shrinking (the filter widens by the scale factor). Equal
// sizes return a copy, as PIL does.
func ResizeBicubic(src *RGB, w, h int) (*RGB, error) { return Resize(src, w, h, Bicubic) }

// Resize resizes to w×h with PIL's Image.resize(..., filter).
func Resize(src *RGB, w, h int, filter Filter) (*RGB, error) {
	if err := checkDims("resize target", w, h); err != nil {
		return nil, err
	}
	dst := NewRGB(w, h)
	r := Resizer{Filter: filter}
	if err := r.ResizeInto(dst, src); err != nil {
		return nil, err
	}
	return dst, nil
}

func validRGB(what string, m *RGB) error {
	if m == nil {
		return fmt.Errorf("imageproc: %s image is nil", what)
	}
	if err := checkDims(what+" image", m.W, m.H); err != nil {
		return err
	}
	if len(m.Pix) != m.W*m.H*3 {
		return fmt.Errorf("imageproc: %s image has %d bytes, want %d×%d×3 = %d", what, len(m.Pix), m.W, m.H, m.W*m.H*3)
	}
	return nil
}

// Resizer keeps the coefficient tables and the intermediate buffer between
// calls, so repeated resizes between the same sizes allocate nothing.
type Resizer struct {
	Filter               Filter // the zero value is Bicubic
	filter               Filter // the one the tables were made for
	inW, inH, outW, outH int
	horiz, vert          coeffs
	tmp                  []uint8
}

// ResizeInto resizes src into dst (dst.W, dst.H and len(dst.Pix) = W*H*3 set
// by the caller), following Pillow's ImagingResampleInner: horizontal pass over
// only the source rows the vertical pass reads, clipped to uint8, then the
// vertical pass; a pass whose size does not change is skipped.
func (r *Resizer) ResizeInto(dst, src *RGB) error {
	if err := validRGB("source", src); err != nil {
		return err
	}
	if err := validRGB("destination", dst); err != nil {
		return err
	}
	fn, support, err := r.Filter.kernel()
	if err != nil {
		return err
	}
	if src.W != r.inW || src.H != r.inH || dst.W != r.outW || dst.H != r.outH || r.Filter != r.filter {
		r.inW, r.inH, r.outW, r.outH, r.filter = src.W, src.H, dst.W, dst.H, r.Filter
		r.horiz = precomputeCoeffs(src.W, dst.W, fn, support)
		r.vert = precomputeCoeffs(src.H, dst.H, fn, support)
	}
	needH := dst.W != src.W
	needV := dst.H != src.H
	in := src
	vb := r.vert.Bounds
	yFirst := 0
	if needH {
		yFirst = vb[0]
		yLast := vb[2*dst.H-2] + vb[2*dst.H-1]
		rows := yLast - yFirst
		n := dst.W * rows * 3
		if cap(r.tmp) < n {
			r.tmp = make([]uint8, n)
		}
		tmp := &RGB{W: dst.W, H: rows, Pix: r.tmp[:n]}
		if !needV {
			tmp = dst
		}
		horizontalPass(tmp, src, yFirst, r.horiz)
		in = tmp
	}
	if needV {
		verticalPass(dst, in, yFirst, r.vert)
	} else if !needH {
		copy(dst.Pix, src.Pix)
	}
	return nil
}

func horizontalPass(out, in *RGB, offset int, c coeffs) {
	const half = 1 << (precisionBits - 1)
	for yy := 0; yy < out.H; yy++ {
		row := in.Pix[(yy+offset)*in.W*3 : (yy+offset+1)*in.W*3]
		orow := out.Pix[yy*out.W*3 : (yy+1)*out.W*3]
		for xx := 0; xx < out.W; xx++ {
			xmin, n := c.Bounds[2*xx], c.Bounds[2*xx+1]
			k := c.K[xx*c.KSize : xx*c.KSize+n]
			px := row[xmin*3 : (xmin+n)*3]
			ss0, ss1, ss2 := int32(half), int32(half), int32(half)
			for x, kv := range k {
				ss0 += int32(px[3*x]) * kv
				ss1 += int32(px[3*x+1]) * kv
				ss2 += int32(px[3*x+2]) * kv
			}
			orow[3*xx], orow[3*xx+1], orow[3*xx+2] = clip8(ss0), clip8(ss1), clip8(ss2)
		}
	}
}

// verticalPass reads rows Bounds[2y]-shift onward of in (shift is the first
// source row the horizontal pass kept, or 0 when it did not run).
func verticalPass(out, in *RGB, shift int, c coeffs) {
	const half = 1 << (precisionBits - 1)
	stride := in.W * 3
	for yy := 0; yy < out.H; yy++ {
		ymin, n := c.Bounds[2*yy]-shift, c.Bounds[2*yy+1]
		k := c.K[yy*c.KSize : yy*c.KSize+n]
		orow := out.Pix[yy*stride : (yy+1)*stride]
		for xx := 0; xx < stride; xx++ {
			ss := int32(half)
			idx := ymin*stride + xx
			for _, kv := range k {
				ss += int32(in.Pix[idx]) * kv
				idx += stride
			}
			orow[xx] = clip8(ss)
		}
	}
}
