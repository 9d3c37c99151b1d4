// Copyright 2026 The siglip-wasm Authors. New file in this fork (see doc.go);
// the algorithm is the one libjpeg's jidctint.c documents, written anew here.

package ljpeg

// block is one 8×8 block of DCT coefficients, natural (row-major) order once
// dequantized.
type block [blockSize]int32

const blockSize = 8 * 8

// The accurate integer IDCT of libjpeg (jpeg_idct_islow, JDCT_ISLOW, the
// default of libjpeg-turbo and the one PIL uses): the Loeffler–Ligtenberg–
// Moschytz 1-D IDCT with 12 multiplies, applied to columns then rows, with
// 13-bit fixed-point constants; the first pass keeps 2 extra fraction bits.
// libjpeg-turbo's SIMD versions of it give the same bytes, so this does too.
const (
	constBits = 13
	pass1Bits = 2
)

// fix is a constant in constBits fixed point, rounded as libjpeg's FIX().
func fix(x float64) int32 { return int32(x*(1<<constBits) + 0.5) }

var (
	fix0298631336 = fix(0.298631336)
	fix0390180644 = fix(0.390180644)
	fix0541196100 = fix(0.541196100)
	fix0765366865 = fix(0.765366865)
	fix0899976223 = fix(0.899976223)
	fix1175875602 = fix(1.175875602)
	fix1501321110 = fix(1.501321110)
	fix1847759065 = fix(1.847759065)
	fix1961570560 = fix(1.961570560)
	fix2053119869 = fix(2.053119869)
	fix2562915447 = fix(2.562915447)
	fix3072711026 = fix(3.072711026)
)

// rangeLimit maps an IDCT output x (centred on 0) to a sample the way
// libjpeg's post-IDCT table does: rangeTable[x&1023] is x+128 clamped to
// [0,255] within ±512 of the centre, and the table's mod-1024 wrap-around
// beyond (only corrupt data gets there; the wrap keeps us byte-identical to
// libjpeg on it too).
var rangeTable = func() (t [1024]uint8) {
	for i := range t {
		v := (i+512)&1023 - 512 + 128
		t[i] = uint8(min(max(v, 0), 255))
	}
	return
}()

func rangeLimit(x int32) uint8 { return rangeTable[x&1023] }

// idctIslow transforms the dequantized block b in place into samples written
// to dst (8 rows of stride bytes). b is used as the workspace.
func idctIslow(b *block, dst []byte, stride int) {
	// Pass 1: columns. Results are scaled up by 2^pass1Bits.
	for c := 0; c < 8; c++ {
		if b[8+c] == 0 && b[16+c] == 0 && b[24+c] == 0 && b[32+c] == 0 &&
			b[40+c] == 0 && b[48+c] == 0 && b[56+c] == 0 {
			// Only the DC term: the full formula gives exactly this.
			dc := b[c] << pass1Bits
			for r := 0; r < 8; r++ {
				b[8*r+c] = dc
			}
			continue
		}
		t10, t11, t12, t13, t0, t1, t2, t3 := idct1D(b[c], b[8+c], b[16+c], b[24+c], b[32+c], b[40+c], b[48+c], b[56+c])
		const sh = constBits - pass1Bits
		const rnd = 1 << (sh - 1)
		b[c] = (t10 + t3 + rnd) >> sh
		b[56+c] = (t10 - t3 + rnd) >> sh
		b[8+c] = (t11 + t2 + rnd) >> sh
		b[48+c] = (t11 - t2 + rnd) >> sh
		b[16+c] = (t12 + t1 + rnd) >> sh
		b[40+c] = (t12 - t1 + rnd) >> sh
		b[24+c] = (t13 + t0 + rnd) >> sh
		b[32+c] = (t13 - t0 + rnd) >> sh
	}
	// Pass 2: rows, descaled by 2^(constBits+pass1Bits+3) (the 3 is the
	// 1-D transforms' factor of 8), level-shifted and range-limited.
	_ = dst[7*stride+7]
	for r := 0; r < 8; r++ {
		w := b[8*r : 8*r+8 : 8*r+8]
		out := dst[r*stride : r*stride+8 : r*stride+8]
		if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
			v := rangeLimit((w[0] + 1<<(pass1Bits+2)) >> (pass1Bits + 3))
			for i := range out {
				out[i] = v
			}
			continue
		}
		t10, t11, t12, t13, t0, t1, t2, t3 := idct1D(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
		const sh = constBits + pass1Bits + 3
		const rnd = 1 << (sh - 1)
		out[0] = rangeLimit((t10 + t3 + rnd) >> sh)
		out[7] = rangeLimit((t10 - t3 + rnd) >> sh)
		out[1] = rangeLimit((t11 + t2 + rnd) >> sh)
		out[6] = rangeLimit((t11 - t2 + rnd) >> sh)
		out[2] = rangeLimit((t12 + t1 + rnd) >> sh)
		out[5] = rangeLimit((t12 - t1 + rnd) >> sh)
		out[3] = rangeLimit((t13 + t0 + rnd) >> sh)
		out[4] = rangeLimit((t13 - t0 + rnd) >> sh)
	}
}

// idct1D is the shared 1-D stage: from the eight inputs x0..x7 it returns the
// even part's tmp10..tmp13 (scaled by 2^constBits) and the odd part's
// tmp0..tmp3; output k is tmp1k ± tmp(3-k).
func idct1D(x0, x1, x2, x3, x4, x5, x6, x7 int32) (t10, t11, t12, t13, t0, t1, t2, t3 int32) {
	// Even part: the rotation by sqrt(2)*c6 of inputs 2 and 6.
	z1 := (x2 + x6) * fix0541196100
	e2 := z1 - x6*fix1847759065
	e3 := z1 + x2*fix0765366865
	e0 := (x0 + x4) << constBits
	e1 := (x0 - x4) << constBits
	t10, t13 = e0+e3, e0-e3
	t11, t12 = e1+e2, e1-e2

	// Odd part, inputs 7, 5, 3, 1.
	o0, o1, o2, o3 := x7, x5, x3, x1
	za := o0 + o3
	zb := o1 + o2
	zc := o0 + o2
	zd := o1 + o3
	z5 := (zc + zd) * fix1175875602
	o0 *= fix0298631336
	o1 *= fix2053119869
	o2 *= fix3072711026
	o3 *= fix1501321110
	za *= -fix0899976223
	zb *= -fix2562915447
	zc = zc*-fix1961570560 + z5
	zd = zd*-fix0390180644 + z5
	t0 = o0 + za + zc
	t1 = o1 + zb + zd
	t2 = o2 + zb + zc
	t3 = o3 + za + zd
	return
}
