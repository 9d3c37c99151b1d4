package ref64

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Weights returns the named tensor's first n values, row-major in its
// Hugging Face shape. The oracle says how many it expects (from its own
// reading of the config), so a source that is a pure function of (name,
// index), like the formula weights, needs no shape table from the code
// under test.
type Weights func(name string, n int) []float32

// Tower is the part of a SiglipTextConfig / SiglipVisionConfig the
// forward pass needs.
type Tower struct {
	Hidden, Intermediate, Layers, Heads int
	Eps                                 float64
	// Vision only.
	Channels, ImageSize, PatchSize int
	// Text only.
	Vocab, Projection int
}

// Vision returns the L2-normalised image embeddings of n images
// pixels[n][C][ImageSize][ImageSize], [n][Hidden].
func Vision(c Tower, w Weights, pixels []float32, n int) []float64 {
	h, p, size, ch := c.Hidden, c.PatchSize, c.ImageSize, c.Channels
	g := size / p // the convolution's output size: stride p, no padding
	S, pv := g*g, ch*p*p
	out := make([]float64, n*h)
	pw := widen(w("vision_model.embeddings.patch_embedding.weight", h*pv)) // [h][C][p][p]
	pb := w("vision_model.embeddings.patch_embedding.bias", h)
	pos := w("vision_model.embeddings.position_embedding.weight", S*h)
	for b := 0; b < n; b++ {
		img := pixels[b*ch*size*size : (b+1)*ch*size*size]
		x := make([]float64, S*h)
		parallel(S, func(s int) {
			py, px := s/g, s%g
			for o := 0; o < h; o++ {
				sum := float64(pb[o])
				wo := pw[o*pv : (o+1)*pv]
				for cc := 0; cc < ch; cc++ {
					for y := 0; y < p; y++ {
						for xx := 0; xx < p; xx++ {
							sum += wo[(cc*p+y)*p+xx] * float64(img[cc*size*size+(py*p+y)*size+px*p+xx])
						}
					}
				}
				x[s*h+o] = sum + float64(pos[s*h+o])
			}
		})
		for l := 0; l < c.Layers; l++ {
			encoderLayer(c, w, fmt.Sprintf("vision_model.encoder.layers.%d.", l), x, S)
		}
		layerNorm(x, S, h, w("vision_model.post_layernorm.weight", h), w("vision_model.post_layernorm.bias", h), c.Eps)
		pooled := poolingHead(c, w, x, S)
		copy(out[b*h:], normalize(pooled))
	}
	return out
}

// poolingHead is SiglipMultiheadAttentionPoolingHead over x[S][h].
func poolingHead(c Tower, w Weights, x []float64, S int) []float64 {
	h := c.Hidden
	in := widen(w("vision_model.head.attention.in_proj_weight", 3*h*h)) // [3h][h]: q, k, v
	inB := w("vision_model.head.attention.in_proj_bias", 3*h)
	probe := widen(w("vision_model.head.probe", h))
	q := linear(probe, 1, in[:h*h], h, h, inB[:h])
	k := linear(x, S, in[h*h:2*h*h], h, h, inB[h:2*h])
	v := linear(x, S, in[2*h*h:], h, h, inB[2*h:])
	att := attention(q, 1, k, v, S, h, c.Heads)
	y := linear(att, 1, widen(w("vision_model.head.attention.out_proj.weight", h*h)), h, h, w("vision_model.head.attention.out_proj.bias", h))
	r := append([]float64(nil), y...)
	layerNorm(y, 1, h, w("vision_model.head.layernorm.weight", h), w("vision_model.head.layernorm.bias", h), c.Eps)
	m := mlp(c, w, "vision_model.head.mlp.", y, 1)
	for i := range r {
		r[i] += m[i]
	}
	return r
}

// Text returns the L2-normalised text embeddings of n sequences ids[n][seq]
// (seq = len(ids)/n), [n][projection].
func Text(c Tower, w Weights, ids []int32, n int) []float64 {
	h, seq := c.Hidden, len(ids)/n
	tok := w("text_model.embeddings.token_embedding.weight", c.Vocab*h)
	pos := w("text_model.embeddings.position_embedding.weight", seq*h)
	hw, hb := widen(w("text_model.head.weight", c.Projection*h)), w("text_model.head.bias", c.Projection)
	proj := c.Projection
	out := make([]float64, n*proj)
	for b := 0; b < n; b++ {
		x := make([]float64, seq*h)
		for s := 0; s < seq; s++ {
			id := int(ids[b*seq+s])
			for i := 0; i < h; i++ {
				x[s*h+i] = float64(tok[id*h+i]) + float64(pos[s*h+i])
			}
		}
		for l := 0; l < c.Layers; l++ {
			encoderLayer(c, w, fmt.Sprintf("text_model.encoder.layers.%d.", l), x, seq)
		}
		last := x[(seq-1)*h:]
		layerNorm(last, 1, h, w("text_model.final_layer_norm.weight", h), w("text_model.final_layer_norm.bias", h), c.Eps)
		copy(out[b*proj:], normalize(linear(last, 1, hw, proj, h, hb)))
	}
	return out
}

// Logits returns logits_per_image [nImg][nTxt] of normalised embeddings.
func Logits(img, txt []float64, nImg, nTxt int, scale, bias float64) []float64 {
	d := len(img) / nImg
	out := make([]float64, nImg*nTxt)
	for i := 0; i < nImg; i++ {
		for j := 0; j < nTxt; j++ {
			s := 0.0
			for k := 0; k < d; k++ {
				s += img[i*d+k] * txt[j*d+k]
			}
			out[i*nTxt+j] = s*math.Exp(scale) + bias
		}
	}
	return out
}

// encoderLayer is SiglipEncoderLayer on x[S][h] in place:
// x += attn(LN1(x)); x += MLP(LN2(x)).
func encoderLayer(c Tower, w Weights, p string, x []float64, S int) {
	h := c.Hidden
	y := append([]float64(nil), x...)
	layerNorm(y, S, h, w(p+"layer_norm1.weight", h), w(p+"layer_norm1.bias", h), c.Eps)
	lin := func(name string, in []float64, m int) []float64 {
		return linear(in, m, widen(w(p+"self_attn."+name+".weight", h*h)), h, h, w(p+"self_attn."+name+".bias", h))
	}
	q, k, v := lin("q_proj", y, S), lin("k_proj", y, S), lin("v_proj", y, S)
	a := lin("out_proj", attention(q, S, k, v, S, h, c.Heads), S)
	for i := range x {
		x[i] += a[i]
	}
	copy(y, x)
	layerNorm(y, S, h, w(p+"layer_norm2.weight", h), w(p+"layer_norm2.bias", h), c.Eps)
	m := mlp(c, w, p+"mlp.", y, S)
	for i := range x {
		x[i] += m[i]
	}
}

func mlp(c Tower, w Weights, p string, x []float64, m int) []float64 {
	h, in := c.Hidden, c.Intermediate
	u := linear(x, m, widen(w(p+"fc1.weight", in*h)), in, h, w(p+"fc1.bias", in))
	for i, v := range u { // gelu_pytorch_tanh
		u[i] = 0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v)))
	}
	return linear(u, m, widen(w(p+"fc2.weight", h*in)), h, in, w(p+"fc2.bias", h))
}

// attention: softmax(q·kᵀ/√d)·v per head; q [m][h], k and v [S][h].
func attention(q []float64, m int, k, v []float64, S, h, heads int) []float64 {
	d := h / heads
	out := make([]float64, m*h)
	scale := 1 / math.Sqrt(float64(d))
	parallel(m*heads, func(job int) {
		i, hd := job/heads, job%heads
		sc := make([]float64, S)
		mx := math.Inf(-1)
		for j := 0; j < S; j++ {
			s := 0.0
			for e := 0; e < d; e++ {
				s += q[i*h+hd*d+e] * k[j*h+hd*d+e]
			}
			sc[j] = s * scale
			mx = math.Max(mx, sc[j])
		}
		sum := 0.0
		for j := range sc {
			sc[j] = math.Exp(sc[j] - mx)
			sum += sc[j]
		}
		o := out[i*h+hd*d : i*h+hd*d+d]
		for j := 0; j < S; j++ {
			pj := sc[j] / sum
			for e := 0; e < d; e++ {
				o[e] += pj * v[j*h+hd*d+e]
			}
		}
	})
	return out
}

// linear: y[m][n] = x[m][k]·wᵀ + b, w row-major [n][k].
func linear(x []float64, m int, w []float64, n, k int, b []float32) []float64 {
	y := make([]float64, m*n)
	parallel(m, func(i int) {
		xi := x[i*k : (i+1)*k]
		for o := 0; o < n; o++ {
			wo := w[o*k : (o+1)*k]
			var s0, s1, s2, s3 float64
			j := 0
			for ; j+4 <= k; j += 4 {
				s0 += xi[j] * wo[j]
				s1 += xi[j+1] * wo[j+1]
				s2 += xi[j+2] * wo[j+2]
				s3 += xi[j+3] * wo[j+3]
			}
			for ; j < k; j++ {
				s0 += xi[j] * wo[j]
			}
			y[i*n+o] = (s0 + s1) + (s2 + s3) + float64(b[o])
		}
	})
	return y
}

func layerNorm(x []float64, m, h int, g, b []float32, eps float64) {
	for i := 0; i < m; i++ {
		r := x[i*h : (i+1)*h]
		mean, vr := 0.0, 0.0
		for _, v := range r {
			mean += v
		}
		mean /= float64(h)
		for _, v := range r {
			vr += (v - mean) * (v - mean)
		}
		inv := 1 / math.Sqrt(vr/float64(h)+eps)
		for j := range r {
			r[j] = (r[j]-mean)*inv*float64(g[j]) + float64(b[j])
		}
	}
}

func normalize(v []float64) []float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x / math.Sqrt(s)
	}
	return out
}

func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// parallel runs f(0..n-1) over GOMAXPROCS goroutines.
func parallel(n int, f func(int)) {
	procs := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for p := 0; p < procs; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}
