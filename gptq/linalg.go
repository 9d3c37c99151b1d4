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
	for i, j := 0, len(a)-1; i < j; i, j = i+1, j-1 {
		a[i], a[j] = a[j], a[i]
	}
	for i := 0; i < k; i++ {
		if a[i*k+i] == 0 {
			a[i*k+i] = 1
		}
		a[i*k+i] += damp * mean
	}
	// Cholesky–Crout, column by column, in place (lower triangle of a).
	for j := 0; j < k; j++ {
		lj := a[j*k : j*k+j]
		d := a[j*k+j] - dot(lj, lj)
		if !(d > 0) {
			return nil, fmt.Errorf("gptq: the damped second moment is not positive definite (pivot %d: %v)", j, d)
		}
		d = math.Sqrt(d)
		a[j*k+j] = d
		parallel(k-j-1, func(lo, hi int) {
			for i := j + 1 + lo; i < j+1+hi; i++ {
				a[i*k+j] = (a[i*k+j] - dot(a[i*k:i*k+j], lj)) / d
			}
		})
	}
	// R[i][j] = V[i][j] / V[j][j] for j > i, V[i][j] = L[K-1-i][K-1-j]:
	// row i of R is row K-1-i of L read backwards.
	r := make([]float64, k*k)
	for i := 0; i < k; i++ {
		li := a[(k-1-i)*k:]
		for j := i + 1; j < k; j++ {
			c := k - 1 - j
			r[i*k+j] = li[c] / a[c*k+c]
		}
	}
	return r, nil
}
