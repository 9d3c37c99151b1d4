package gptq

import "golang.org/x/sys/cpu"

// On amd64 with AVX2 and FMA, the float64 dot product of the
// factorisation and the eight-row column update of quantizeRows run in
// assembly (linalg_amd64.s), a few times faster than Go's scalar loops.
// Their sums are fused and in another order than the Go forms', so a q4
// file's bytes depend on which form ran: each host always takes the same
// one (these two CPU flags), so a conversion is reproducible on its
// platform, and the tests check accuracy, not bytes.

//go:noescape
func dotFMA(a, b *float64, n int) float64

//go:noescape
func carry8FMA(rows *[8]*float64, e *[8]float64, r *float64, n int)

//go:noescape
func carryBatchFMA(rows *[8]*float64, e *[8]float64, rp **float64, nc, n int)

var haveFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func cholAcc16(st, a, bp *float64, chunks int)

// cholPanels: the factorisation takes its sums from panels (linalg.go),
// on AVX-512 (sixteen 8-lane accumulators); a variable so the test can
// compare both ways.
var cholPanels = haveFMA && cpu.X86.HasAVX512F

func dot(a, b []float64) float64 {
	n := len(a) &^ 15
	if !haveFMA || n == 0 {
		return dotGo(a, b)
	}
	b = b[:len(a)]
	return dotFMA(&a[0], &b[0], n) + dotGo(a[n:], b[n:])
}

func carry8(rows *[8][]float64, e *[8]float64, ri []float64, from int) {
	n := len(ri) &^ 3
	if !haveFMA || n == 0 {
		carry8Go(rows, e, ri, from)
		return
	}
	var p [8]*float64
	for t := range p {
		p[t] = &rows[t][from:][:len(ri)][0]
	}
	carry8FMA(&p, e, &ri[0], n)
	var tail [8][]float64
	for t := range tail {
		tail[t] = rows[t][from:]
	}
	carry8Go(&tail, e, ri[n:], n)
}

//go:noescape
func dot4FMA(s *[cholBlock]float64, a, b *float64, ldb, n int)

func dot4(s *[cholBlock]float64, a, b []float64, ldb, nb int) {
	n := len(a) &^ 7
	if !haveFMA || n == 0 || nb != cholBlock {
		dot4Go(s, a, b, ldb, nb)
		return
	}
	_ = b[3*ldb+len(a)-1]
	dot4FMA(s, &a[0], &b[0], ldb, n)
	for c := 0; c < cholBlock; c++ {
		s[c] += dotGo(a[n:], b[c*ldb+n:c*ldb+len(a)])
	}
}
