package gptq

import (
	"math"

	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// quantizeRows is GPTQ's inner loop over a Linear weight w[N][K]: each
// row is quantized one input column at a time, in order, to the 4-bit
// grid of its block of 32: column k is rounded from its target
// w_k + Σ_{j<k} (w_j − q_j)·R[j][k] (see feedback; the errors are against
// the original weights), the error of each column being added into the
// targets of the columns still to come — the optimal correction (Optimal
// Brain Surgeon) for the output error ‖(W−Q)X‖² under the inputs' second
// moment H = XᵀX. A block's scale is chosen by RoundQ4's rule
// (modelfile.Q4BlockScale) on the block's weights as updated when the
// block is reached.
//
// Rows are independent; they are done eight at a time (a group), and
// groups of up to 16 together, in parallel. The column errors are carried
// lazily (the GPTQ paper's batches): within a batch of sweepBatch columns
// at once, into the columns after the batch only when the batch is done,
// as one product of the batch's errors with its rows of R (carryBatch),
// tiled so each tile of R serves every group of the chunk from cache —
// the immediate form read all of R once per group, from memory. Each
// target still receives its updates one column at a time, in column
// order, each one rounded as before (fused where the immediate form
// fused: carry8's vector part; see carryExact), so the result is bit for
// bit the immediate form's.
//
// With H ∝ I, R is 0 and nothing is carried: the result is then exactly
// modelfile.RoundQ4's.
func quantizeRows(w []float32, n, k int, r []float64) (q []int8, scales []uint16) {
	return sweepRows(w, n, k, r, nil)
}

// sweepRows is quantizeRows; with targets (n×k) set, it also stores there
// each weight's target as it was rounded (for TestSweepSameBits: a
// target one rounding off rarely changes a 4-bit value, so the test
// compares the targets).
func sweepRows(w []float32, n, k int, r []float64, targets []float64) (q []int8, scales []uint16) {
	const g = 8
	nb := (k + kernel.Q4Block - 1) / kernel.Q4Block
	q = make([]int8, n*k)
	scales = make([]uint16, n*nb)
	groups := (n + g - 1) / g
	// Columns kf.. (the last three) may be updated unfused by the
	// immediate form (its tail); they are always carried immediately.
	kf := max(0, k-3)
	parallel(groups, func(g0, g1 int) {
		ng := g1 - g0
		rows := make([][g][]float64, ng)
		cnts := make([]int, ng)
		for gi := range rows {
			r0 := (g0 + gi) * g
			cnts[gi] = min(g, n-r0)
			for t := range rows[gi] {
				rows[gi][t] = make([]float64, k)
				if t < cnts[gi] {
					for i := range rows[gi][t] {
						rows[gi][t][i] = float64(w[(r0+t)*k+i])
					}
				}
			}
		}
		blk := make([]float32, kernel.Q4Block)
		d := make([][g]float64, ng)
		// the batch's errors, per group: the columns that carried
		// something, and their eight errors
		cols := make([][]int, ng)
		errs := make([][][g]float64, ng)
		cb := &carryBuf{}
		for b0 := 0; b0 < k; b0 += sweepBatch {
			b1 := min(b0+sweepBatch, k)
			for gi := range rows {
				r0, cnt := (g0+gi)*g, cnts[gi]
				rg := &rows[gi]
				cols[gi], errs[gi] = cols[gi][:0], errs[gi][:0]
				var e [g]float64
				for i := b0; i < b1; i++ {
					if i%kernel.Q4Block == 0 {
						b := i / kernel.Q4Block
						hi := min(i+kernel.Q4Block, k)
						for t := 0; t < cnt; t++ {
							for j := i; j < hi; j++ {
								blk[j-i] = float32(rg[t][j])
							}
							h := modelfile.Q4BlockScale(blk[:hi-i])
							scales[(r0+t)*nb+b] = h
							d[gi][t] = float64(kernel.HalfBitsToFloat32(h))
						}
					}
					any := false
					for t := 0; t < cnt; t++ {
						qi := modelfile.Q4Round(rg[t][i], d[gi][t])
						q[(r0+t)*k+i] = qi
						e[t] = float64(w[(r0+t)*k+i]) - d[gi][t]*float64(qi)
						any = any || e[t] != 0
					}
					if !any || i+1 == k {
						continue
					}
					ri := r[i*k : (i+1)*k]
					fused := cnt == g
					// now: the rest of the batch, and the last columns
					carryExact(rg, &e, ri, i, i+1, b1, k, fused)
					carryExact(rg, &e, ri, i, max(b1, kf), k, k, fused)
					cols[gi] = append(cols[gi], i)
					errs[gi] = append(errs[gi], e)
				}
			}
			// later: the columns from the end of the batch to kf
			if b1 < kf {
				carryBatch(cb, rows, cnts, cols, errs, r, k, b1, kf)
			}
		}
		if targets != nil {
			for gi := range rows {
				for t := 0; t < cnts[gi]; t++ {
					copy(targets[((g0+gi)*g+t)*k:], rows[gi][t])
				}
			}
		}
	})
	return q, scales
}

// sweepBatch is how many columns quantizeRows does before it carries
// their errors into the columns after them (a multiple of Q4Block, so a
// block's scale always sees its own columns' carries).
const sweepBatch = 128

// carryTile is how many columns one pass of carryBatch covers: a
// sweepBatch × carryTile tile of R (256 KiB) stays in L2 for every group.
const carryTile = 256

// carryExact adds e[t]·ri[j] to rows[t][j] for j in [lo, hi), as the
// immediate form's step for column i did: there, carry8 updated the
// columns after i fused in fours, and the last (k-i-1)%4 of them unfused
// (carry8Go); a partial group (not fused) always unfused.
func carryExact(rows *[8][]float64, e *[8]float64, ri []float64, i, lo, hi, k int, fused bool) {
	if lo >= hi {
		return
	}
	lim := lo // first unfused column
	if fused && haveFMA && k-i-1 >= 4 {
		lim = min(hi, k-(k-i-1)%4)
	}
	if lim > lo {
		n := (lim - lo) &^ 3
		if n > 0 {
			carry8(rows, e, ri[lo:lo+n], lo)
		}
		for t := range rows {
			row := rows[t]
			for j := lo + n; j < lim; j++ {
				row[j] = math.FMA(e[t], ri[j], row[j])
			}
		}
	}
	if hi > lim {
		if fused {
			carry8Go(rows, e, ri[lim:hi], lim)
			return
		}
		for t := range rows {
			rest := rows[t][lim:hi]
			for j, v := range ri[lim:hi] {
				rest[j] += e[t] * v
			}
		}
	}
}

// carryBuf is carryBatch's per-worker scratch.
type carryBuf struct {
	rp  []*float64
	e   [][8]float64
	off []int
}

// carryBatch adds the batch's errors into columns [lo, hi) of every
// group's rows: rows[t][j] += errs[c][t]·R[cols[c]][j] for each carrying
// column c in order (fused on an FMA host, as carryExact's fused part;
// unfused for a partial group), tile by tile of carryTile columns.
func carryBatch(cb *carryBuf, rows [][8][]float64, cnts []int, cols [][]int, errs [][][8]float64, r []float64, k, lo, hi int) {
	for j0 := lo; j0 < hi; j0 += carryTile {
		j1 := min(j0+carryTile, hi)
		for gi := range rows {
			cs, es := cols[gi], errs[gi]
			if len(cs) == 0 {
				continue
			}
			rg := &rows[gi]
			if cnts[gi] != 8 || !haveFMA {
				for c, i := range cs {
					ri := r[i*k+j0 : i*k+j1]
					if cnts[gi] == 8 {
						carry8Go(rg, &es[c], ri, j0)
						continue
					}
					for t := range rg {
						rest := rg[t][j0:j1]
						for j, v := range ri {
							rest[j] += es[c][t] * v
						}
					}
				}
				continue
			}
			n4 := (j1 - j0) &^ 3
			if n4 > 0 {
				cb.rp = cb.rp[:0]
				for _, i := range cs {
					cb.rp = append(cb.rp, &r[i*k+j0])
				}
				var p [8]*float64
				for t := range p {
					p[t] = &rg[t][j0:j1][0]
				}
				carryBatchFMA(&p, &es[0], &cb.rp[0], len(cs), n4)
			}
			for c, i := range cs {
				for t := range rg {
					row := rg[t]
					for j := j0 + n4; j < j1; j++ {
						row[j] = math.FMA(es[c][t], r[i*k+j], row[j])
					}
				}
			}
		}
	}
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
