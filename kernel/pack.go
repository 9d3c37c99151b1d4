package kernel

import "fmt"

// PanelRows is the number of output rows a packed panel holds.
const PanelRows = 8

// PackedF32 is a Linear weight W[N][K] packed for MatMulF32 (see the
// package doc for the layout).
type PackedF32 struct {
	N, K int
	Data []float32
}

// PackedQ8 is an int8 Linear weight with per-output-row scales, packed for
// MatMulQ8 (see the package doc for the layout).
type PackedQ8 struct {
	N, K   int
	Kp     int // K rounded up to even
	Data   []int8
	Scales []float32 // len N

	// quad is the same weight in the layout of the simd kernel matmul_q8x4
	// (see packQuad), made by PackQ8 or Prepare only when that kernel runs
	// on this host (simdQuad); nil otherwise, and MatMulQ8 then uses Data.
	// (js/wasm runs Go on one thread: setting it needs no lock.)
	quad *q8Quad
}

// q8Quad is a PackedQ8 weight laid out for a 4-wide int8 dot product:
// panels of 8 rows; inside a panel, quads of k for all 8 rows:
//
//	Data[((p*K4/4 + k/4)*8 + j)*4 + k%4] = Q[8p+j][k]   (0 where padded)
//
// with K4 = K rounded up to a multiple of 4, and Corr[n] = 128·Σ_k Q[n][k]
// (the kernel multiplies by activations offset by +128; see simd_relaxed.wat).
type q8Quad struct {
	K4   int
	Data []int8
	Corr []int32
}

// simdQuad is set at start-up when the host runs matmul_q8x4 exactly
// (kernel/simd_js.go); PackQ8 then also builds the quad layout.
var simdQuad bool

func packQuad(q []int8, n, k int) *q8Quad {
	k4 := (k + 3) &^ 3
	np := panels(n)
	d := make([]int8, np*PanelRows*k4)
	corr := make([]int32, n)
	for row := 0; row < n; row++ {
		p, j := row/PanelRows, row%PanelRows
		src := q[row*k : (row+1)*k]
		var sum int32
		base := p * k4 * PanelRows
		for kk, v := range src {
			d[base+(kk/4*PanelRows+j)*4+kk%4] = v
			sum += int32(v)
		}
		corr[row] = 128 * sum
	}
	return &q8Quad{K4: k4, Data: d, Corr: corr}
}

func panels(n int) int { return (n + PanelRows - 1) / PanelRows }

// PackF32 packs the row-major weight w[N][K].
func PackF32(w []float32, n, k int) (*PackedF32, error) {
	if n <= 0 || k <= 0 || len(w) != n*k {
		return nil, fmt.Errorf("kernel: PackF32: weight has %d values, want %d×%d", len(w), n, k)
	}
	np := panels(n)
	d := make([]float32, np*PanelRows*k)
	for row := 0; row < n; row++ {
		p, j := row/PanelRows, row%PanelRows
		src := w[row*k : (row+1)*k]
		base := p * k * PanelRows
		for kk, v := range src {
			d[base+kk*PanelRows+j] = v
		}
	}
	return &PackedF32{N: n, K: k, Data: d}, nil
}

// At returns W[n][k] from the packed form (for tests and debugging).
func (w *PackedF32) At(n, k int) float32 {
	return w.Data[((n/PanelRows)*w.K+k)*PanelRows+n%PanelRows]
}

// PackQ8 packs the row-major int8 weight q[N][K] with per-row scales.
func PackQ8(q []int8, scales []float32, n, k int) (*PackedQ8, error) {
	if n <= 0 || k <= 0 || len(q) != n*k {
		return nil, fmt.Errorf("kernel: PackQ8: weight has %d values, want %d×%d", len(q), n, k)
	}
	if len(scales) != n {
		return nil, fmt.Errorf("kernel: PackQ8: %d scales for %d rows", len(scales), n)
	}
	kp := k + k%2
	np := panels(n)
	d := make([]int8, np*PanelRows*kp)
	for row := 0; row < n; row++ {
		p, j := row/PanelRows, row%PanelRows
		for kk := 0; kk < k; kk++ {
			v := q[row*k+kk]
			if v == -128 {
				return nil, fmt.Errorf("kernel: PackQ8: weight [%d][%d] is -128; symmetric int8 uses -127..127", row, kk)
			}
			d[((p*kp/2+kk/2)*PanelRows+j)*2+kk%2] = v
		}
	}
	w := &PackedQ8{N: n, K: k, Kp: kp, Data: d, Scales: append([]float32(nil), scales...)}
	if simdQuad {
		w.quad = packQuad(q, n, k)
	}
	return w, nil
}

// Prepare builds, once, whatever extra form of the weight the fastest
// kernel of this host needs (the simd quad layout on x64 Chromium with
// AVX-VNNI; nothing elsewhere). PackQ8 does it itself; call it at load
// time on a PackedQ8 assembled by hand (e.g. over a model file's bytes),
// or MatMulQ8 does it on first use. It costs one more copy of the int8
// weights in memory where it applies.
func (w *PackedQ8) Prepare() {
	if !simdQuad || w.quad != nil {
		return
	}
	q := make([]int8, w.N*w.K)
	for n := 0; n < w.N; n++ {
		for k := 0; k < w.K; k++ {
			q[n*w.K+k] = w.At(n, k)
		}
	}
	w.quad = packQuad(q, w.N, w.K)
}

// At returns Q[n][k] from the packed form (for tests and debugging).
func (w *PackedQ8) At(n, k int) int8 {
	p, j := n/PanelRows, n%PanelRows
	return w.Data[((p*w.Kp/2+k/2)*PanelRows+j)*2+k%2]
}
