package modelfile

import (
	"fmt"
	"math"
	"runtime"
	"sync"

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

// RoundQ4 quantizes w[N][K] in blocks of 32 along K to 4-bit integers
// Q ∈ [-8, 7] with one f16 scale d per block (W ≈ d·Q), packed in
// kernel.PackedQ4's layout, each weight rounded to its nearest grid point
// ("rtn"). Uniform-ish weights leave 4 bits little room, so each block's
// scale is searched rather than taken as max|w|/7: see Q4BlockScale. Rows
// are split across goroutines; the result does not depend on how.
func RoundQ4(w []float32, n, k int) (data []byte, scales []uint16) {
	nb := (k + kernel.Q4Block - 1) / kernel.Q4Block
	q := make([]int8, n*k)
	scales = make([]uint16, n*nb)
	parallelRows(n, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			for b := 0; b < nb; b++ {
				lo, hi := b*kernel.Q4Block, min((b+1)*kernel.Q4Block, k)
				scales[r*nb+b] = quantizeQ4Block(w[r*k+lo:r*k+hi], q[r*k+lo:r*k+hi])
			}
		}
	})
	return PackQ4(q, n, k), scales
}

// PackQ4 packs Q[N][K] (values in [-8, 7], row-major) into
// kernel.PackedQ4's byte layout, padding K with zeros to whole blocks.
func PackQ4(q []int8, n, k int) []byte {
	nb := (k + kernel.Q4Block - 1) / kernel.Q4Block
	data := make([]byte, n*nb*16)
	for i := range data {
		data[i] = 8 | 8<<4 // zeros (padding)
	}
	for r := 0; r < n; r++ {
		out := data[r*nb*16 : (r+1)*nb*16]
		for i, v := range q[r*k : (r+1)*k] {
			shift := 4 * (i % 2)
			out[i/2] = out[i/2]&^(15<<shift) | byte(int(v)+8)<<shift
		}
	}
	return data
}

// Q4BlockScale returns the f16 scale bits RoundQ4 chooses for one block
// of at most 32 weights (0 for a block of zeros): for candidate scales
// ±max|w|/t (t = 6.5 … 8.5; the sign matters because [-8, 7] is
// asymmetric) the block is rounded, the scale refitted by least squares
// (d = Σ w·q / Σ q²), rounded to f16, the block rounded again, and the
// candidate with the smallest squared error kept.
func Q4BlockScale(blk []float32) uint16 {
	var q [kernel.Q4Block]int8
	return quantizeQ4Block(blk, q[:len(blk)])
}

// Q4Round returns round-half-even(v/d) clamped to [-8, 7] (0 when d is 0).
func Q4Round(v, d float64) int8 {
	if d == 0 {
		return 0
	}
	// Comparisons rather than math.Max/Min (which are not inlined and
	// handle signed zeros and NaN by branches): the same value for every
	// input, a NaN falling through both as it falls through Max and Min,
	// and several times faster; GPTQ rounds every weight ~20 times here.
	x := math.RoundToEven(v / d)
	if x > 7 {
		x = 7
	} else if x < -8 {
		x = -8
	}
	return int8(x)
}

// quantizeQ4Block writes blk's 4-bit values into q and returns the f16
// scale bits.
func quantizeQ4Block(blk []float32, q []int8) uint16 {
	var amax float64
	for _, v := range blk {
		amax = math.Max(amax, math.Abs(float64(v)))
	}
	for i := range q {
		q[i] = 0
	}
	if amax == 0 {
		return 0
	}
	round := func(d float64, dst []int8) (err float64) {
		for i, v := range blk {
			x := Q4Round(float64(v), d)
			dst[i] = x
			e := float64(v) - d*float64(x)
			err += e * e
		}
		return err
	}
	var tmp [kernel.Q4Block]int8
	bestErr, bestH := math.Inf(1), uint16(0)
	// The refitted scales often coincide; a scale already tried gives
	// the same error again, which cannot be strictly better, so it is
	// not rounded again (the result is the same, in half the work).
	var tried [10]uint16
	nTried := 0
	for _, t := range []float64{6.5, 7, 7.5, 8, 8.5} {
	candidates:
		for _, sign := range []float64{1, -1} {
			d := sign * amax / t
			round(d, tmp[:len(blk)])
			var wq, qq float64
			for i, v := range blk {
				wq += float64(v) * float64(tmp[i])
				qq += float64(tmp[i]) * float64(tmp[i])
			}
			if qq == 0 {
				continue
			}
			h := float16.Fromfloat32(float32(wq / qq))
			d16 := float64(h.Float32())
			if d16 == 0 || math.IsInf(d16, 0) || math.IsNaN(d16) {
				continue
			}
			for _, u := range tried[:nTried] {
				if u == uint16(h) {
					continue candidates
				}
			}
			tried[nTried] = uint16(h)
			nTried++
			if e := round(d16, tmp[:len(blk)]); e < bestErr {
				bestErr, bestH = e, uint16(h)
				copy(q, tmp[:len(blk)])
			}
		}
	}
	return bestH
}

// parallelRows runs f over [0, n) in contiguous chunks on GOMAXPROCS
// goroutines.
func parallelRows(n int, f func(r0, r1 int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/64))
	if workers <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for r0 := 0; r0 < n; r0 += chunk {
		wg.Add(1)
		go func(r0, r1 int) {
			defer wg.Done()
			f(r0, r1)
		}(r0, min(r0+chunk, n))
	}
	wg.Wait()
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
