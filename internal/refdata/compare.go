package refdata

import "math"

// MaxAbsDiff is max_i |got[i] − want[i]|: +Inf when the lengths differ or
// a value is NaN, so a missing or broken output can never pass a bound.
func MaxAbsDiff(got []float32, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var m float64
	for i := range want {
		d := math.Abs(float64(got[i]) - want[i])
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		m = math.Max(m, d)
	}
	return m
}

// MinCosine splits got and want into n equal rows and returns the smallest
// cosine similarity between matching rows (−Inf when the lengths differ or
// a row is zero or NaN, so it fails any lower bound).
func MinCosine(got []float32, want []float64, n int) float64 {
	if n <= 0 || len(got) != len(want) || len(want)%n != 0 {
		return math.Inf(-1)
	}
	d := len(want) / n
	m := 1.0
	for i := 0; i < n; i++ {
		var ab, aa, bb float64
		for k := 0; k < d; k++ {
			a, b := float64(got[i*d+k]), want[i*d+k]
			ab += a * b
			aa += a * a
			bb += b * b
		}
		c := ab / math.Sqrt(aa*bb)
		if math.IsNaN(c) {
			return math.Inf(-1)
		}
		m = math.Min(m, c)
	}
	return m
}
