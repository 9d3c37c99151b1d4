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

	// corr[n] = 128·Σ_k Q[n][k], what the simd kernel matmul_q8x4 needs
	// next to Data (see simd_relaxed.wat); made by PackQ8 or Prepare only
	// when the host's MatMulQ8 form reads it (kernelTable.rowSums), nil
	// otherwise.
	// (js/wasm runs Go on one thread: setting it needs no lock.)
	corr []int32
}

// rowSums128 returns 128·Σ_k Q[n][k] for every row of w (walking each
// panel's 16-byte k-pair groups: 8 rows × 2 values).
func rowSums128(w *PackedQ8) []int32 {
	corr := make([]int32, w.N)
	for p := 0; p < panels(w.N); p++ {
		panel := w.Data[p*w.Kp*PanelRows : (p+1)*w.Kp*PanelRows]
		var s [PanelRows]int32
		for i := 0; i+2*PanelRows <= len(panel); i += 2 * PanelRows {
			g := panel[i : i+2*PanelRows : i+2*PanelRows]
			for j := range s {
				s[j] += int32(g[2*j]) + int32(g[2*j+1])
			}
		}
		for j, v := range s {
			if n := p*PanelRows + j; n < w.N {
				corr[n] = 128 * v
			}
		}
	}
	return corr
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
	w.Prepare()
	return w, nil
}

// Prepare computes, once, whatever the fastest kernel of this host needs
// besides the packed weight (the row sums of the 4-wide int8 dot kernel on
// x64 Chromium with AVX-VNNI: 4 bytes per output row; nothing elsewhere).
// PackQ8 calls it; call it at load time on a PackedQ8 assembled by hand
// (e.g. over a model file's bytes), or MatMulQ8 does it on first use.
func (w *PackedQ8) Prepare() {
	if active.rowSums && w.corr == nil && w.Kp%4 == 0 {
		w.corr = rowSums128(w)
	}
}

// At returns Q[n][k] from the packed form (for tests and debugging).
func (w *PackedQ8) At(n, k int) int8 {
	p, j := n/PanelRows, n%PanelRows
	return w.Data[((p*w.Kp/2+k/2)*PanelRows+j)*2+k%2]
}
