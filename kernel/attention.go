package kernel

import "math"

// attnArgs describes one multi-head attention call (see Attention).
type attnArgs struct {
	dst, q, k, v                         []float32
	dstStride, qStride, kStride, vStride int
	sq, sk, hd                           int
	scores                               []float32
}

// Attention computes unmasked multi-head scaled dot-product attention:
// for each head h, dst_h = softmax(Q_h·K_hᵀ/√hd)·V_h, where row i of Q_h is
// q[i*qStride + h*hd : … + hd] (likewise K, V, dst with their strides).
// Q has sq rows, K and V have sk rows. scores is scratch of at least
// heads·sq·sk floats. Heads run in parallel; nothing is allocated.
func Attention(dst []float32, dstStride int, q []float32, qStride int, k []float32, kStride int,
	v []float32, vStride int, sq, sk, heads, hd int, scores []float32) {
	if active.attention != nil {
		active.attention(dst, dstStride, q, qStride, k, kStride, v, vStride, sq, sk, heads, hd, scores)
		return
	}
	if sq <= 0 || sk <= 0 || heads <= 0 {
		return
	}
	_ = scores[heads*sq*sk-1]
	t := task{op: opAttention, att: attnArgs{dst: dst, q: q, k: k, v: v,
		dstStride: dstStride, qStride: qStride, kStride: kStride, vStride: vStride,
		sq: sq, sk: sk, hd: hd, scores: scores}}
	parallel(t, heads, 1+16384/(sq*sk*hd+1))
}

func attentionHeads(a *attnArgs, hlo, hhi int) {
	sq, sk, hd := a.sq, a.sk, a.hd
	scale := float32(1 / math.Sqrt(float64(hd)))
	for h := hlo; h < hhi; h++ {
		s := a.scores[h*sq*sk : (h+1)*sq*sk]
		off := h * hd
		for i := 0; i < sq; i++ {
			qi := a.q[i*a.qStride+off : i*a.qStride+off+hd]
			srow := s[i*sk : (i+1)*sk]
			for j := range srow {
				kj := a.k[j*a.kStride+off : j*a.kStride+off+hd]
				kj = kj[:len(qi)]
				var d0, d1, d2, d3 float32
				x := 0
				for ; x+4 <= len(qi); x += 4 {
					d0 += qi[x] * kj[x]
					d1 += qi[x+1] * kj[x+1]
					d2 += qi[x+2] * kj[x+2]
					d3 += qi[x+3] * kj[x+3]
				}
				for ; x < len(qi); x++ {
					d0 += qi[x] * kj[x]
				}
				srow[j] = ((d0 + d1) + (d2 + d3)) * scale
			}
			softmaxRow(srow)
			out := a.dst[i*a.dstStride+off : i*a.dstStride+off+hd]
			for x := range out {
				out[x] = 0
			}
			for j, p := range srow {
				vj := a.v[j*a.vStride+off : j*a.vStride+off+hd]
				vj = vj[:len(out)]
				for x, vv := range vj {
					out[x] += p * vv
				}
			}
		}
	}
}
