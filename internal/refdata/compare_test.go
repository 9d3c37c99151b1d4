package refdata

import (
	"math"
	"testing"
)

func TestCompare(t *testing.T) {
	if d := MaxAbsDiff([]float32{1, 2}, []float64{1, 2.5}); d != 0.5 {
		t.Fatalf("MaxAbsDiff = %v", d)
	}
	if !math.IsInf(MaxAbsDiff([]float32{1}, []float64{1, 2}), 1) || !math.IsInf(MaxAbsDiff([]float32{float32(math.NaN())}, []float64{1}), 1) {
		t.Fatal("length mismatch and NaN must be +Inf")
	}
	if c := MinCosine([]float32{1, 0, 0, 1}, []float64{2, 0, 0, -1}, 2); c != -1 {
		t.Fatalf("MinCosine = %v", c)
	}
	if !math.IsInf(MinCosine([]float32{0, 0}, []float64{1, 0}, 1), -1) {
		t.Fatal("a zero row must fail")
	}
}
