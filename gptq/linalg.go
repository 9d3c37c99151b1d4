package gptq

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// dotGo is a float64 dot product of equal-length slices (dot is this, or
// its assembly form where the CPU has one: linalg_amd64.go).
func dotGo(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// cholBlock is how many columns the factorisation does per pass (dot4).
const cholBlock = 4

// dot4Go sets s[c] = Σ_t a[t]·b[c*ldb + t] for c < nb (≤ 4) rows of b
// (dot4 is this, or its assembly form: linalg_amd64.go).
func dot4Go(s *[cholBlock]float64, a, b []float64, ldb, nb int) {
	for c := 0; c < cholBlock; c++ {
		s[c] = 0
		if c < nb {
			s[c] = dotGo(a, b[c*ldb:c*ldb+len(a)])
		}
	}
}

// parallel runs f over [0, n) in contiguous chunks on GOMAXPROCS
// goroutines (several chunks per goroutine, so uneven rows balance).
func parallel(n int, f func(lo, hi int)) {
	procs := runtime.GOMAXPROCS(0)
	if procs == 1 || n < 64 {
		f(0, n)
		return
	}
	chunk := max(16, n/(4*procs))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < procs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				f(lo, min(lo+chunk, n))
			}
		}()
	}
	for lo := 0; lo < n; lo += chunk {
		next <- lo
	}
	close(next)
	wg.Wait()
}

// feedback returns GPTQ's error-feedback matrix R (K×K row-major,
// strictly upper triangular) for the symmetric input second moment H
// (row-major, destroyed): with the damped H + λ·I = (R+I)·D·(R+I)ᵀ, R
// strictly upper triangular and D diagonal (an LDLᵀ factorisation taken
// from the last index backwards), GPTQ's column-by-column rounding is
//
//	q_k = round(w_k + Σ_{j<k} (w_j − q_j)·R[j][k])
//
// (Chee et al., "QuIP", 2023, show this LDL form equals the GPTQ
// paper's, which needs the inverse of H as well). λ = damp · mean(diag
// H); inputs that never varied (H[i][i] = 0) get a diagonal of 1 first,
// as in the GPTQ reference code.
//
// With P the index reversal, P(H+λI)P = L·Lᵀ (Cholesky, lower L), so
// H+λI = V·Vᵀ with V = P L P upper triangular, and R+I = V·diag(V)⁻¹.
func feedback(h []float64, k int, damp float64) ([]float64, error) {
	var mean float64
	for i := 0; i < k; i++ {
		mean += h[i*k+i]
	}
	mean /= float64(k)
	if !(mean > 0) || math.IsInf(mean, 0) {
		return nil, fmt.Errorf("gptq: the inputs' second moment is %v", mean)
	}
	// a = P(H+λI)P, in h's memory: reversing both indices is reversing
	// the flat array.
	a := h
	half := len(a) / 2
	parallel(half, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			j := len(a) - 1 - i
			a[i], a[j] = a[j], a[i]
		}
	})
	for i := 0; i < k; i++ {
		if a[i*k+i] == 0 {
			a[i*k+i] = 1
		}
		a[i*k+i] += damp * mean
	}
	// Cholesky–Crout in place (lower triangle of a), four columns at a
	// time: each row's products with the four columns' rows over the
	// columns already done are one pass over the row (dot4: a quarter of
	// the memory traffic of one dot per column, which is what bounds a
	// 3072×3072 factorisation), then the block's own four terms in order.
	sbuf := make([][cholBlock]float64, k)
	var pn panel
	for j0 := 0; j0 < k; j0 += cholBlock {
		j1 := min(j0+cholBlock, k)
		nb := j1 - j0
		// s[i-j0][c] = Σ_{t<j0} a[i][t]·a[j0+c][t] for every row i ≥ j0
		s := sbuf[:k-j0]
		if cholPanels && j0 >= 8 && nb == cholBlock {
			pn.sums(s, a, k, j0)
		} else {
			parallel(k-j0, func(lo, hi int) {
				for i := j0 + lo; i < j0+hi; i++ {
					dot4(&s[i-j0], a[i*k:i*k+j0], a[j0*k:], k, nb)
				}
			})
		}
		// the block: rows and columns j0..j1-1, in order
		for c := 0; c < nb; c++ {
			j := j0 + c
			d := a[j*k+j] - s[c][c]
			for t := j0; t < j; t++ {
				d -= a[j*k+t] * a[j*k+t]
			}
			if !(d > 0) {
				return nil, fmt.Errorf("gptq: the damped second moment is not positive definite (pivot %d: %v)", j, d)
			}
			d = math.Sqrt(d)
			a[j*k+j] = d
			for i := j + 1; i < j1; i++ {
				v := a[i*k+j] - s[i-j0][c]
				for t := j0; t < j; t++ {
					v -= a[i*k+t] * a[j*k+t]
				}
				a[i*k+j] = v / d
			}
		}
		// the rows below the block
		parallel(k-j1, func(lo, hi int) {
			for i := j1 + lo; i < j1+hi; i++ {
				for c := 0; c < nb; c++ {
					j := j0 + c
					v := a[i*k+j] - s[i-j0][c]
					for t := j0; t < j; t++ {
						v -= a[i*k+t] * a[j*k+t]
					}
					a[i*k+j] = v / a[j*k+j]
				}
			}
		})
	}
	// R[i][j] = V[i][j] / V[j][j] for j > i, V[i][j] = L[K-1-i][K-1-j]:
	// row i of R is row K-1-i of L read backwards.
	r := make([]float64, k*k)
	parallel(k, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			li := a[(k-1-i)*k:]
			for j := i + 1; j < k; j++ {
				c := k - 1 - j
				r[i*k+j] = li[c] / a[c*k+c]
			}
		}
	})
	return r, nil
}

// panelCols is how many columns a panel (see panel) covers.
const panelCols = 32

// panel computes dot4's sums for panelCols columns from one pass over the
// rows below them (dot4 reads every row once per four columns, from
// memory: what bounds a 4096-wide factorisation): per row and column it
// keeps dot4FMA's eight accumulator lanes (lane l sums the terms t ≡ l
// mod 8, in t order; one 512-bit register, cholAcc16), advances them
// eight columns at a time as the columns become final, and reduces them
// as dot4FMA does, then adds dot4's Go tail. Every sum is therefore bit
// for bit dot4's (TestPanelSameBits). Only where dot4 takes its assembly
// form with a full block (j0 ≥ 8, four columns) and the CPU has AVX-512.
type panel struct {
	j, ncols int       // first column (≡ 0 mod 8) and how many
	st       []float64 // per row i ≥ j, per column: eight lanes
	bp       []float64 // the columns' rows, packed: [group][chunk][16][8]
}

// sums sets s[i-j0][c] = Σ_{t<j0} a[i][t]·a[j0+c][t] for rows i ≥ j0, as
// dot4 would.
func (p *panel) sums(s [][cholBlock]float64, a []float64, k, j0 int) {
	if p.ncols == 0 || j0 >= p.j+p.ncols {
		p.start(a, k, j0)
	} else if (j0-p.j)%8 == 0 {
		p.advance(a, k, j0)
	}
	n := j0 &^ 7
	parallel(k-j0, func(lo, hi int) {
		for i := j0 + lo; i < j0+hi; i++ {
			for c := 0; c < cholBlock; c++ {
				l := p.st[((i-p.j)*panelCols+j0-p.j+c)*8:][:8]
				v := ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]))
				v += dotGo(a[i*k+n:i*k+j0], a[(j0+c)*k+n:(j0+c)*k+j0])
				s[i-j0][c] = v
			}
		}
	})
}

// start begins a panel at column j0: its columns' accumulators over
// t < j0, for rows j0 and after.
func (p *panel) start(a []float64, k, j0 int) {
	p.j, p.ncols = j0, min(panelCols, (k&^3)-j0)
	rows := k - j0
	p.st = growF64(p.st, rows*panelCols*8)
	clear(p.st)
	chunks := j0 / 8
	p.bp = growF64(p.bp, 2*chunks*16*8)
	p.pack(a, k, 0, chunks)
	parallel(rows, func(lo, hi int) {
		for i := j0 + lo; i < j0+hi; i++ {
			p.acc(a, k, i, 0, chunks)
		}
	})
}

// advance adds the terms t in [j0-8, j0) (columns just finished) to the
// accumulators of rows j0 and after.
func (p *panel) advance(a []float64, k, j0 int) {
	t0 := j0 - 8
	p.bp = growF64(p.bp, 2*16*8)
	p.pack(a, k, t0, 1)
	parallel(k-j0, func(lo, hi int) {
		for i := j0 + lo; i < j0+hi; i++ {
			p.acc(a, k, i, t0, 1)
		}
	})
}

// pack lays out a[j+c][t0 : t0+8·chunks] of the panel's columns as
// cholAcc16 reads them (in p.bp; columns past ncols are zeros).
func (p *panel) pack(a []float64, k, t0, chunks int) {
	bp := p.bp[:2*chunks*16*8]
	parallel(2*chunks, func(lo, hi int) {
		for gc := lo; gc < hi; gc++ {
			g, ch := gc/chunks, gc%chunks
			d := bp[gc*16*8 : (gc+1)*16*8]
			for c := 0; c < 16; c++ {
				col := g*16 + c
				if col >= p.ncols {
					clear(d[c*8 : c*8+8])
					continue
				}
				copy(d[c*8:c*8+8], a[(p.j+col)*k+t0+ch*8:])
			}
		}
	})
}

// acc advances row i's accumulators by `chunks` chunks of eight terms
// from t0, from p.bp as pack left it.
func (p *panel) acc(a []float64, k, i, t0, chunks int) {
	st := p.st[(i-p.j)*panelCols*8:][:panelCols*8]
	ai := a[i*k+t0 : i*k+t0+chunks*8]
	for g := 0; g < 2 && g*16 < p.ncols; g++ {
		cholAcc16(&st[g*16*8], &ai[0], &p.bp[g*chunks*16*8], chunks)
	}
}

func growF64(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}
