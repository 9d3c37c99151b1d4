package modelfile

import (
	"fmt"
	"math"

	"github.com/x448/float16"

	"github.com/siglip-wasm/siglip-wasm/kernel"
)

// quantizeQ8Rows quantizes w[N][K] symmetrically per row:
// scale = max|w|/127 (float32, or rounded to f16 when f16Scale), q =
// clamp(roundHalfEven(w/scale), -127, 127). A row of zeros gets scale 0.
func quantizeQ8Rows(w []float32, n, k int, f16Scale bool) ([]int8, []float32) {
	q := make([]int8, n*k)
	scales := make([]float32, n)
	for r := 0; r < n; r++ {
		row := w[r*k : (r+1)*k]
		var amax float32
		for _, v := range row {
			amax = max(amax, float32(math.Abs(float64(v))))
		}
		s := amax / 127
		if f16Scale {
			s = float16.Fromfloat32(s).Float32()
		}
		scales[r] = s
		if s == 0 || math.IsInf(float64(s), 0) || math.IsNaN(float64(s)) {
			scales[r] = 0
			continue
		}
		for i, v := range row {
			q[r*k+i] = int8(clampRound(float64(v)/float64(s), 127))
		}
	}
	return q, scales
}

// quantizeQ4 quantizes w[N][K] in blocks of 32 along K: d =
// f16(max|w_block|/7), q = clamp(roundHalfEven(w/d), -7, 7), and packs it
// in kernel.PackedQ4's layout.
func quantizeQ4(w []float32, n, k int) (data []byte, scales []uint16) {
	nb := (k + kernel.Q4Block - 1) / kernel.Q4Block
	data = make([]byte, n*nb*16)
	scales = make([]uint16, n*nb)
	for r := 0; r < n; r++ {
		for b := 0; b < nb; b++ {
			lo, hi := b*kernel.Q4Block, min((b+1)*kernel.Q4Block, k)
			blk := w[r*k+lo : r*k+hi]
			var amax float32
			for _, v := range blk {
				amax = max(amax, float32(math.Abs(float64(v))))
			}
			h := float16.Fromfloat32(amax / 7)
			d := h.Float32()
			if d == 0 || math.IsInf(float64(d), 0) || math.IsNaN(float64(d)) {
				h, d = 0, 0
			}
			scales[r*nb+b] = uint16(h)
			out := data[(r*nb+b)*16 : (r*nb+b+1)*16]
			for i := range out {
				out[i] = 8 | 8<<4 // zeros
			}
			if d == 0 {
				continue
			}
			for i, v := range blk {
				q := clampRound(float64(v)/float64(d), 7)
				shift := 4 * (i % 2)
				out[i/2] = out[i/2]&^(15<<shift) | byte(q+8)<<shift
			}
		}
	}
	return data, scales
}

func clampRound(x float64, lim int) int {
	r := math.RoundToEven(x)
	if r > float64(lim) {
		return lim
	}
	if r < -float64(lim) {
		return -lim
	}
	return int(r)
}

// checkFinite refuses NaN and infinite weights: quantizing them would
// silently produce garbage.
func checkFinite(name string, w []float32) error {
	for i, v := range w {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("modelfile: tensor %q: element %d is %v", name, i, v)
		}
	}
	return nil
}
