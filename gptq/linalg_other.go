//go:build !amd64

package gptq

func dot(a, b []float64) float64 { return dotGo(a, b) }

func carry8(rows *[8][]float64, e *[8]float64, ri []float64, from int) {
	carry8Go(rows, e, ri, from)
}

func dot4(s *[cholBlock]float64, a, b []float64, ldb, nb int) { dot4Go(s, a, b, ldb, nb) }

// carryBatchFMA is never called without haveFMA.
func carryBatchFMA(rows *[8]*float64, e *[8]float64, rp **float64, nc, n int) {
	panic("gptq: carryBatchFMA without FMA")
}

const haveFMA = false

const cholPanels = false

func cholAcc16(st, a, bp *float64, chunks int) { panic("gptq: cholAcc16 without AVX-512") }
