package modelfile

import (
	"math"
	"math/rand/v2"
	"testing"
)

// q4RoundMaxMin is Q4Round as first written (math.Max/Min clamps).
func q4RoundMaxMin(v, d float64) int8 {
	if d == 0 {
		return 0
	}
	return int8(math.Max(-8, math.Min(7, math.RoundToEven(v/d))))
}

// TestQ4RoundSameAsMaxMin: Q4Round's comparisons give the Max/Min form's
// value on every kind of input (ties, signed zeros, clamps, Inf, NaN), so
// the q4 bytes RoundQ4 and GPTQ write did not change with it.
func TestQ4RoundSameAsMaxMin(t *testing.T) {
	special := []float64{0, math.Copysign(0, -1), 0.5, -0.5, 1.5, -1.5, 7.5, -8.5, 6.5, -7.5, 8, -9, 1e300, -1e300,
		math.Inf(1), math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64}
	ds := []float64{1, -1, 0.37, -0.0123, 1e-300, math.Inf(1), 0}
	for _, v := range special {
		for _, d := range ds {
			if got, want := Q4Round(v, d), q4RoundMaxMin(v, d); got != want {
				t.Fatalf("Q4Round(%v, %v) = %d, the Max/Min form %d", v, d, got, want)
			}
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 1e6; i++ {
		d := rng.NormFloat64() * 0.01
		v := d * (float64(rng.IntN(40)-20) / 2) // many exact ties
		if i%2 == 0 {
			v = rng.NormFloat64() * 0.1
		}
		if got, want := Q4Round(v, d), q4RoundMaxMin(v, d); got != want {
			t.Fatalf("Q4Round(%v, %v) = %d, the Max/Min form %d", v, d, got, want)
		}
	}
}
