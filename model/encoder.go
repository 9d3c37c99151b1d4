package model

import (
	"fmt"

	"github.com/siglip-wasm/siglip-wasm/kernel"
)

// EncoderLayer is one pre-LayerNorm transformer block of SiglipEncoder:
// x += out_proj(attention(LN1(x))); x += fc2(act(fc1(LN2(x)))).
type EncoderLayer struct {
	Hidden, Heads, Intermediate int
	Eps                         float32
	act                         func([]float32)

	LN1W, LN1B, LN2W, LN2B []float32
	Q, K, V, O             Linear
	QB, KB, VB, OB         []float32
	FC1, FC2               Linear
	FC1B, FC2B             []float32
}

// EncoderBuffers is the working memory of an encoder over at most
// Tokens tokens (batch × sequence). A plan's two towers share one (they
// never run at once), sized for the larger of each buffer.
//
// Q, K, V, Att and MLP are views of one region: a layer is done with its
// attention's buffers (consumed by out_proj into H) before fc1 writes MLP,
// so the two never hold live values at once, and the region is
// max(4·tokens·hidden, tokens·intermediate) floats instead of their sum
// (large-256's plan: 54 → 19 MB of the tab's memory, issue 13). The vision
// tower also puts its patches (before the layers) and its pooling head's
// in-projection (after them) there.
type EncoderBuffers struct {
	H, Q, K, V, Att []float32 // [tokens][hidden]
	MLP             []float32 // [tokens][intermediate]
	Scores          []float32 // [heads][seq][seq]
	Scratch         kernel.Scratch
	region          []float32 // backs Q, K, V, Att and MLP (and regionUse's views)
}

// encoderSize is one tower's demand on shared EncoderBuffers; region is
// what else the tower keeps in the region between its layers' uses.
type encoderSize struct {
	tokens, seq, hidden, heads, inter, region int
}

// NewEncoderBuffers allocates buffers for up to tokens tokens in
// sequences of at most seq.
func NewEncoderBuffers(tokens, seq, hidden, heads, inter int) *EncoderBuffers {
	return newEncoderBuffers(encoderSize{tokens: tokens, seq: seq, hidden: hidden, heads: heads, inter: inter})
}

// newEncoderBuffers allocates buffers large enough for each of sizes.
func newEncoderBuffers(sizes ...encoderSize) *EncoderBuffers {
	var n, mlp, scores, region int
	for _, z := range sizes {
		n = max(n, z.tokens*z.hidden)
		mlp = max(mlp, z.tokens*z.inter)
		scores = max(scores, z.heads*z.seq*z.seq)
		region = max(region, z.region)
	}
	r := make([]float32, max(4*n, mlp, region))
	return &EncoderBuffers{H: make([]float32, n),
		Q: r[:n:n], K: r[n : 2*n : 2*n], V: r[2*n : 3*n : 3*n], Att: r[3*n : 4*n : 4*n], MLP: r[:mlp:mlp],
		Scores: make([]float32, scores), region: r}
}

// regionUse returns the first n floats of the region, for a tower stage
// that runs while no layer does (encoderSize.region reserved them).
func (b *EncoderBuffers) regionUse(n int) []float32 { return b.region[:n:n] }

func loadEncoderLayer(src WeightSource, prefix string, hidden, heads, inter int, eps float64, act func([]float32)) (*EncoderLayer, error) {
	l := &EncoderLayer{Hidden: hidden, Heads: heads, Intermediate: inter, Eps: float32(eps), act: act}
	var err error
	fl := func(name string, shape ...int) []float32 {
		if err != nil {
			return nil
		}
		var v []float32
		v, err = src.Float(prefix+name, shape...)
		return v
	}
	lin := func(name string, shape ...int) Linear {
		if err != nil {
			return nil
		}
		var v Linear
		v, err = src.Linear(prefix+name, shape...)
		return v
	}
	l.LN1W, l.LN1B = fl("layer_norm1.weight", hidden), fl("layer_norm1.bias", hidden)
	l.Q, l.QB = lin("self_attn.q_proj.weight", hidden, hidden), fl("self_attn.q_proj.bias", hidden)
	l.K, l.KB = lin("self_attn.k_proj.weight", hidden, hidden), fl("self_attn.k_proj.bias", hidden)
	l.V, l.VB = lin("self_attn.v_proj.weight", hidden, hidden), fl("self_attn.v_proj.bias", hidden)
	l.O, l.OB = lin("self_attn.out_proj.weight", hidden, hidden), fl("self_attn.out_proj.bias", hidden)
	l.LN2W, l.LN2B = fl("layer_norm2.weight", hidden), fl("layer_norm2.bias", hidden)
	l.FC1, l.FC1B = lin("mlp.fc1.weight", inter, hidden), fl("mlp.fc1.bias", inter)
	l.FC2, l.FC2B = lin("mlp.fc2.weight", hidden, inter), fl("mlp.fc2.bias", hidden)
	if err != nil {
		return nil, err
	}
	if err := checkLinears(prefix, []Linear{l.Q, l.K, l.V, l.O, l.FC1, l.FC2},
		[][2]int{{hidden, hidden}, {hidden, hidden}, {hidden, hidden}, {hidden, hidden}, {inter, hidden}, {hidden, inter}}); err != nil {
		return nil, err
	}
	return l, nil
}

// checkLinears guards against a source returning a Linear of the wrong size.
func checkLinears(prefix string, ls []Linear, dims [][2]int) error {
	for i, l := range ls {
		if l.Out() != dims[i][0] || l.In() != dims[i][1] {
			return fmt.Errorf("model: %s: linear %d is %d×%d, want %d×%d", prefix, i, l.Out(), l.In(), dims[i][0], dims[i][1])
		}
	}
	return nil
}

// Forward runs the layer in place on x[n·seq][Hidden] (n sequences of
// seq tokens, attention within each sequence, no mask).
func (l *EncoderLayer) Forward(x []float32, n, seq int, b *EncoderBuffers) {
	t, h := n*seq, l.Hidden
	x = x[:t*h]
	hb := b.H[:t*h]
	kernel.LayerNorm(hb, x, t, h, l.LN1W, l.LN1B, l.Eps)
	stage("layernorm")
	l.Q.Apply(b.Q, hb, t, l.QB, &b.Scratch)
	l.K.Apply(b.K, hb, t, l.KB, &b.Scratch)
	l.V.Apply(b.V, hb, t, l.VB, &b.Scratch)
	stage("qkv")
	hd := h / l.Heads
	for i := 0; i < n; i++ {
		o := i * seq * h
		kernel.Attention(b.Att[o:], h, b.Q[o:], h, b.K[o:], h, b.V[o:], h, seq, seq, l.Heads, hd, b.Scores)
	}
	stage("attention")
	l.O.Apply(hb, b.Att, t, l.OB, &b.Scratch)
	stage("out_proj")
	addInPlace(x, hb)
	stage("residual")
	kernel.LayerNorm(hb, x, t, h, l.LN2W, l.LN2B, l.Eps)
	stage("layernorm")
	mlp := b.MLP[:t*l.Intermediate]
	l.FC1.Apply(mlp, hb, t, l.FC1B, &b.Scratch)
	stage("fc1")
	l.act(mlp)
	stage("gelu")
	l.FC2.Apply(hb, mlp, t, l.FC2B, &b.Scratch)
	stage("fc2")
	addInPlace(x, hb)
	stage("residual")
}

// addInPlace is kernel.Add (simd128 where loaded).
func addInPlace(x, y []float32) { kernel.Add(x, y) }

func loadEncoder(src WeightSource, prefix string, layers, hidden, heads, inter int, eps float64, act func([]float32)) ([]*EncoderLayer, error) {
	out := make([]*EncoderLayer, layers)
	errs := make([]error, layers)
	parallelDo(layers, func(i int) {
		out[i], errs[i] = loadEncoderLayer(src, fmt.Sprintf("%s.layers.%d.", prefix, i), hidden, heads, inter, eps, act)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
