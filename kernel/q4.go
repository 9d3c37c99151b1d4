package kernel

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Q4Block is the number of input (k) elements that share one 4-bit scale.
const Q4Block = 32

// PackedQ4 is a 4-bit Linear weight W[N][K] in blocks of Q4Block along K,
// stored row-major (row n, then block b), 16 bytes per block:
//
//	Data[(n*Blocks+b)*16 + j] = (Q[n][32b+2j] + 8) | (Q[n][32b+2j+1] + 8) << 4
//	W[n][k] ≈ f16(Scales[n*Blocks + k/32]) · Q[n][k],   Q ∈ [-8, 7]
//
// K is padded with zeros up to Blocks·32. Scales are IEEE half-precision
// bit patterns, kept as stored in the model file so loading never widens
// them; the kernel converts one row's scales at a time.
type PackedQ4 struct {
	N, K   int
	Blocks int      // ceil(K / 32)
	Data   []byte   // N·Blocks·16
	Scales []uint16 // N·Blocks, f16 bits
}

// NewPackedQ4 checks the sizes and wraps data and scales without copying.
func NewPackedQ4(data []byte, scales []uint16, n, k int) (*PackedQ4, error) {
	if n <= 0 || k <= 0 {
		return nil, fmt.Errorf("kernel: PackedQ4: bad size %d×%d", n, k)
	}
	nb := (k + Q4Block - 1) / Q4Block
	if len(data) != n*nb*16 {
		return nil, fmt.Errorf("kernel: PackedQ4: %d data bytes for %d×%d, want %d", len(data), n, k, n*nb*16)
	}
	if len(scales) != n*nb {
		return nil, fmt.Errorf("kernel: PackedQ4: %d scales for %d×%d, want %d", len(scales), n, k, n*nb)
	}
	return &PackedQ4{N: n, K: k, Blocks: nb, Data: data, Scales: scales}, nil
}

// At returns Q[n][k] (for tests and debugging).
func (w *PackedQ4) At(n, k int) int8 {
	b := w.Data[(n*w.Blocks+k/Q4Block)*16+(k%Q4Block)/2]
	if k%2 == 1 {
		b >>= 4
	}
	return int8(b&15) - 8
}

// Scale returns the float32 scale of row n's block b.
func (w *PackedQ4) Scale(n, b int) float32 { return HalfBitsToFloat32(w.Scales[n*w.Blocks+b]) }

// unpackRow writes row n's int8 values (K padded to Blocks·32) into q and
// its block scales into s.
func (w *PackedQ4) unpackRow(q []int8, s []float32, n int) {
	row := w.Data[n*w.Blocks*16 : (n+1)*w.Blocks*16]
	for i, b := range row {
		q[2*i] = int8(b&15) - 8
		q[2*i+1] = int8(b>>4) - 8
	}
	for b := 0; b < w.Blocks; b++ {
		s[b] = HalfBitsToFloat32(w.Scales[n*w.Blocks+b])
	}
}

// HalfBitsToFloat32 converts IEEE 754 half-precision bits to float32 (exact).
func HalfBitsToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf / nan
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
	case man == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal half: value = man · 2^-24, exact in float32.
	f := float32(man) * (1.0 / (1 << 24))
	if sign != 0 {
		f = -f
	}
	return f
}

// q4QuantizeBlocks quantizes one activation row block by block (each block of
// 32 as QuantizeRow does a row) into q (len Blocks·32, zero padded) and the
// block scales sa.
func q4QuantizeBlocks(q []int8, sa []float32, a []float32, blocks int) {
	for b := 0; b < blocks; b++ {
		lo, hi := b*Q4Block, (b+1)*Q4Block
		qb := q[lo:hi]
		if hi > len(a) {
			for i := range qb {
				qb[i] = 0
			}
			hi = len(a)
		}
		if lo >= hi {
			sa[b] = 0
			continue
		}
		sa[b] = QuantizeRow(qb[:hi-lo], a[lo:hi])
	}
}

// RefMatMulQ4 is the reference for MatMulQ4, and defines its semantics:
// each activation row is quantized per block of 32 exactly as QuantizeRow
// quantizes a row (int8, symmetric, scale sa_b); then, for every output n,
//
//	acc_b = Σ_{k in block b} qa[k]·Q[n][k]                        (exact, int32)
//	y     = 0; for b = 0..Blocks-1: y = float32(y + float32(float32(acc_b) · float32(sa_b·sw_nb)))
//	Y[r][n] = float32(y + bias[n])
//
// every operation rounded to float32 in that order (no fused multiply-add).
func RefMatMulQ4(dst, a []float32, m int, w *PackedQ4, bias []float32) {
	kp := w.Blocks * Q4Block
	qa := make([]int8, kp)
	sa := make([]float32, w.Blocks)
	for r := 0; r < m; r++ {
		q4QuantizeBlocks(qa, sa, a[r*w.K:(r+1)*w.K], w.Blocks)
		for n := 0; n < w.N; n++ {
			var y float32
			for b := 0; b < w.Blocks; b++ {
				var acc int32
				for k := b * Q4Block; k < (b+1)*Q4Block && k < w.K; k++ {
					acc += int32(qa[k]) * int32(w.At(n, k))
				}
				y = float32(y + float32(float32(acc)*float32(sa[b]*w.Scale(n, b))))
			}
			if bias != nil {
				y = float32(y + bias[n])
			}
			dst[r*w.N+n] = y
		}
	}
}

// MatMulQ4 computes dst[m][N] = A[m][K]·Wᵀ + bias with the semantics of
// RefMatMulQ4, bit for bit. Each weight row is unpacked to int8 once per
// call and reused for all m activation rows; rows of W are split across
// goroutines where the platform has threads. s supplies the quantized
// activations' memory (grown on first use, as for MatMulQ8).
func MatMulQ4(dst, a []float32, m int, w *PackedQ4, bias []float32, s *Scratch) {
	if m <= 0 {
		return
	}
	if len(a) < m*w.K || len(dst) < m*w.N || (bias != nil && len(bias) < w.N) {
		panic(fmt.Sprintf("kernel: MatMulQ4: sizes a=%d dst=%d bias=%d for m=%d N=%d K=%d", len(a), len(dst), len(bias), m, w.N, w.K))
	}
	if active.matMulQ4 != nil {
		active.matMulQ4(dst, a, m, w, bias, s)
		return
	}
	matMulQ4Go(dst, a, m, w, bias, s)
}

// matMulQ4Go is MatMulQ4 in pure Go.
func matMulQ4Go(dst, a []float32, m int, w *PackedQ4, bias []float32, s *Scratch) {
	kp := w.Blocks * Q4Block
	workers := runtime.GOMAXPROCS(0)
	if workers > w.N/8 {
		workers = max(1, w.N/8)
	}
	// Scratch holds the quantized activations, then one unpacked weight
	// row (and its scales) per worker, so a steady-state call allocates
	// nothing where it runs inline (js/wasm).
	s.grow(m*kp+workers*kp, m*w.Blocks+workers*w.Blocks)
	for r := 0; r < m; r++ {
		q4QuantizeBlocks(s.Q[r*kp:(r+1)*kp], s.Scale[r*w.Blocks:(r+1)*w.Blocks], a[r*w.K:(r+1)*w.K], w.Blocks)
	}
	if workers <= 1 {
		q4Rows(dst, m, w, bias, s, 0, 0, w.N)
		return
	}
	var wg sync.WaitGroup
	chunk := (w.N + workers - 1) / workers
	for i, n0 := 0, 0; n0 < w.N; i, n0 = i+1, n0+chunk {
		wg.Add(1)
		go func(i, n0, n1 int) {
			defer wg.Done()
			q4Rows(dst, m, w, bias, s, i, n0, n1)
		}(i, n0, min(n0+chunk, w.N))
	}
	wg.Wait()
}

// q4Rows computes outputs n0..n1-1 for all m rows, with worker's slice of
// the scratch as its unpacked-row buffer.
func q4Rows(dst []float32, m int, w *PackedQ4, bias []float32, s *Scratch, worker, n0, n1 int) {
	kp := w.Blocks * Q4Block
	wq := s.Q[m*kp+worker*kp : m*kp+(worker+1)*kp]
	sw := s.Scale[m*w.Blocks+worker*w.Blocks : m*w.Blocks+(worker+1)*w.Blocks]
	qa, sa := s.Q[:m*kp], s.Scale[:m*w.Blocks]
	for n := n0; n < n1; n++ {
		w.unpackRow(wq, sw, n)
		r := 0
		// Four activation rows at a time: each unpacked weight is
		// loaded once for four products.
		for ; r+4 <= m; r += 4 {
			var y [4]float32
			for b := 0; b < w.Blocks; b++ {
				wb := (*[Q4Block]int8)(wq[b*Q4Block:])
				a0 := (*[Q4Block]int8)(qa[r*kp+b*Q4Block:])
				a1 := (*[Q4Block]int8)(qa[(r+1)*kp+b*Q4Block:])
				a2 := (*[Q4Block]int8)(qa[(r+2)*kp+b*Q4Block:])
				a3 := (*[Q4Block]int8)(qa[(r+3)*kp+b*Q4Block:])
				var s0, s1, s2, s3 int32
				for i := 0; i < Q4Block; i++ {
					x := int32(wb[i])
					s0 += x * int32(a0[i])
					s1 += x * int32(a1[i])
					s2 += x * int32(a2[i])
					s3 += x * int32(a3[i])
				}
				sb := sw[b]
				y[0] = float32(y[0] + float32(float32(s0)*float32(sa[r*w.Blocks+b]*sb)))
				y[1] = float32(y[1] + float32(float32(s1)*float32(sa[(r+1)*w.Blocks+b]*sb)))
				y[2] = float32(y[2] + float32(float32(s2)*float32(sa[(r+2)*w.Blocks+b]*sb)))
				y[3] = float32(y[3] + float32(float32(s3)*float32(sa[(r+3)*w.Blocks+b]*sb)))
			}
			for j := 0; j < 4; j++ {
				if bias != nil {
					y[j] = float32(y[j] + bias[n])
				}
				dst[(r+j)*w.N+n] = y[j]
			}
		}
		for ; r < m; r++ {
			q := qa[r*kp : (r+1)*kp]
			rs := sa[r*w.Blocks : (r+1)*w.Blocks]
			var y float32
			for b := 0; b < w.Blocks; b++ {
				acc := q4Dot32(q[b*Q4Block:(b+1)*Q4Block], wq[b*Q4Block:(b+1)*Q4Block])
				y = float32(y + float32(float32(acc)*float32(rs[b]*sw[b])))
			}
			if bias != nil {
				y = float32(y + bias[n])
			}
			dst[r*w.N+n] = y
		}
	}
}

// q4Dot32 is the exact int32 dot product of two 32-element int8 blocks.
func q4Dot32(a, b []int8) int32 {
	a = a[:32]
	b = b[:32]
	var s0, s1, s2, s3 int32
	for i := 0; i < 32; i += 4 {
		s0 += int32(a[i]) * int32(b[i])
		s1 += int32(a[i+1]) * int32(b[i+1])
		s2 += int32(a[i+2]) * int32(b[i+2])
		s3 += int32(a[i+3]) * int32(b[i+3])
	}
	return s0 + s1 + s2 + s3
}
