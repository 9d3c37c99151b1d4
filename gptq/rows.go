package gptq

import (
	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// quantizeRows is GPTQ's inner loop over a Linear weight w[N][K]: each
// row is quantized one input column at a time, in order, to the 4-bit
// grid of its block of 32: column k is rounded from its target
// w_k + Σ_{j<k} (w_j − q_j)·R[j][k] (see feedback; the errors are against
// the original weights), the error of each column being added into the
// targets of the columns still to come as soon as it is known —
// the optimal correction (Optimal Brain Surgeon) for the output error
// ‖(W−Q)X‖² under the inputs' second moment H = XᵀX. A block's scale is
// chosen by RoundQ4's rule (modelfile.Q4BlockScale) on the block's
// weights as updated when the block is reached.
//
// Rows are independent; they are done eight at a time so that each row
// of R, the large matrix, is read once for eight weight rows, and groups
// of eight run in parallel.
//
// With H ∝ I, R is 0 and nothing is carried: the result is then exactly
// modelfile.RoundQ4's.
func quantizeRows(w []float32, n, k int, r []float64) (q []int8, scales []uint16) {
	const g = 8
	nb := (k + kernel.Q4Block - 1) / kernel.Q4Block
	q = make([]int8, n*k)
	scales = make([]uint16, n*nb)
	groups := (n + g - 1) / g
	parallel(groups, func(g0, g1 int) {
		var rows [g][]float64
		for t := range rows {
			rows[t] = make([]float64, k)
		}
		blk := make([]float32, kernel.Q4Block)
		var d, e [g]float64
		for gi := g0; gi < g1; gi++ {
			r0 := gi * g
			cnt := min(g, n-r0)
			for t := 0; t < cnt; t++ {
				for i := range rows[t] {
					rows[t][i] = float64(w[(r0+t)*k+i])
				}
			}
			for i := 0; i < k; i++ {
				if i%kernel.Q4Block == 0 {
					b := i / kernel.Q4Block
					hi := min(i+kernel.Q4Block, k)
					for t := 0; t < cnt; t++ {
						for j := i; j < hi; j++ {
							blk[j-i] = float32(rows[t][j])
						}
						h := modelfile.Q4BlockScale(blk[:hi-i])
						scales[(r0+t)*nb+b] = h
						d[t] = float64(kernel.HalfBitsToFloat32(h))
					}
				}
				any := false
				for t := 0; t < cnt; t++ {
					qi := modelfile.Q4Round(rows[t][i], d[t])
					q[(r0+t)*k+i] = qi
					e[t] = float64(w[(r0+t)*k+i]) - d[t]*float64(qi)
					any = any || e[t] != 0
				}
				if !any || i+1 == k {
					continue
				}
				ri := r[i*k+i+1 : (i+1)*k]
				if cnt == g {
					carry8(&rows, &e, ri, i+1)
					continue
				}
				for t := 0; t < cnt; t++ {
					rest := rows[t][i+1:]
					for j, v := range ri {
						rest[j] += e[t] * v
					}
				}
			}
		}
	})
	return q, scales
}

// carry8Go adds e[t]·ri to rows[t][from:] for eight rows in one pass over
// ri (carry8 is this, or its assembly form: linalg_amd64.go).
func carry8Go(rows *[8][]float64, e *[8]float64, ri []float64, from int) {
	r0, r1, r2, r3 := rows[0][from:], rows[1][from:], rows[2][from:], rows[3][from:]
	r4, r5, r6, r7 := rows[4][from:], rows[5][from:], rows[6][from:], rows[7][from:]
	r0, r1, r2, r3 = r0[:len(ri)], r1[:len(ri)], r2[:len(ri)], r3[:len(ri)]
	r4, r5, r6, r7 = r4[:len(ri)], r5[:len(ri)], r6[:len(ri)], r7[:len(ri)]
	e0, e1, e2, e3, e4, e5, e6, e7 := e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]
	for j, v := range ri {
		r0[j] += e0 * v
		r1[j] += e1 * v
		r2[j] += e2 * v
		r3[j] += e3 * v
		r4[j] += e4 * v
		r5[j] += e5 * v
		r6[j] += e6 * v
		r7[j] += e7 * v
	}
}
