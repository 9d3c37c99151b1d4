package model

import (
	"fmt"

	"github.com/siglip-wasm/siglip-wasm/kernel"
)

// VisionTower is SiglipVisionTransformer with its attention-pooling head.
type VisionTower struct {
	Cfg    VisionConfig
	Patch  Linear    // [hidden][C·p·p], patch vectors in (c, y, x) order
	PatchB []float32 // [hidden]
	Pos    []float32 // [patches][hidden]
	Layers []*EncoderLayer
	PostW  []float32
	PostB  []float32
	Head   *PoolingHead
}

// PoolingHead is SiglipMultiheadAttentionPoolingHead: one learned probe
// query attends over the tokens (torch.nn.MultiheadAttention), then
// residual + MLP(LayerNorm(·)).
type PoolingHead struct {
	Hidden, Heads int
	Eps           float32
	act           func([]float32)
	ProbeQ        []float32 // the probe's query projection (constant)
	InProj        Linear    // [3·hidden][hidden]: q, k, v stacked
	InProjB       []float32
	// kvProj is InProj's k and v rows alone (a view of the same weights,
	// see rowSlice), nil when the Linear's form has no such view: the
	// probe's query is constant, so per image only keys and values are
	// projected, a third fewer FLOPs in the head.
	kvProj     Linear
	Out        Linear
	OutB       []float32
	LNW, LNB   []float32
	FC1, FC2   Linear
	FC1B, FC2B []float32
}

func loadVision(src WeightSource, v VisionConfig) (*VisionTower, error) {
	act, err := activation(v.HiddenAct)
	if err != nil {
		return nil, fmt.Errorf("model: vision_config.%v", err)
	}
	h, c, p := v.HiddenSize, v.NumChannels, v.PatchSize
	t := &VisionTower{Cfg: v}
	fl := func(name string, shape ...int) []float32 {
		if err != nil {
			return nil
		}
		var x []float32
		x, err = src.Float(name, shape...)
		return x
	}
	lin := func(name string, shape ...int) Linear {
		if err != nil {
			return nil
		}
		var x Linear
		x, err = src.Linear(name, shape...)
		return x
	}
	t.Patch = lin("vision_model.embeddings.patch_embedding.weight", h, c, p, p)
	t.PatchB = fl("vision_model.embeddings.patch_embedding.bias", h)
	t.Pos = fl("vision_model.embeddings.position_embedding.weight", v.NumPatches(), h)
	t.PostW = fl("vision_model.post_layernorm.weight", h)
	t.PostB = fl("vision_model.post_layernorm.bias", h)
	hd := &PoolingHead{Hidden: h, Heads: v.NumAttentionHeads, Eps: float32(v.LayerNormEps), act: act}
	probe := fl("vision_model.head.probe", 1, 1, h)
	hd.InProj = lin("vision_model.head.attention.in_proj_weight", 3*h, h)
	hd.InProjB = fl("vision_model.head.attention.in_proj_bias", 3*h)
	hd.Out = lin("vision_model.head.attention.out_proj.weight", h, h)
	hd.OutB = fl("vision_model.head.attention.out_proj.bias", h)
	hd.LNW = fl("vision_model.head.layernorm.weight", h)
	hd.LNB = fl("vision_model.head.layernorm.bias", h)
	hd.FC1 = lin("vision_model.head.mlp.fc1.weight", v.IntermediateSize, h)
	hd.FC1B = fl("vision_model.head.mlp.fc1.bias", v.IntermediateSize)
	hd.FC2 = lin("vision_model.head.mlp.fc2.weight", h, v.IntermediateSize)
	hd.FC2B = fl("vision_model.head.mlp.fc2.bias", h)
	if err != nil {
		return nil, err
	}
	if err := checkLinears("vision_model", []Linear{t.Patch, hd.InProj, hd.Out, hd.FC1, hd.FC2},
		[][2]int{{h, c * p * p}, {3 * h, h}, {h, h}, {v.IntermediateSize, h}, {h, v.IntermediateSize}}); err != nil {
		return nil, err
	}
	// The probe is the same for every image: project it once.
	qkv := make([]float32, 3*h)
	var s kernel.Scratch
	hd.InProj.Apply(qkv, probe, 1, hd.InProjB, &s)
	hd.ProbeQ = qkv[:h]
	hd.kvProj = rowSlice(hd.InProj, h, 3*h)
	t.Head = hd
	t.Layers, err = loadEncoder(src, "vision_model.encoder", v.NumHiddenLayers, h, v.NumAttentionHeads, v.IntermediateSize, v.LayerNormEps, act)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// visionBuffers is a plan's working memory for the vision tower.
type visionBuffers struct {
	patches []float32 // [n·S][C·p·p], in enc's region (used before the layers)
	x       []float32 // [n·S][hidden] residual stream, then last_hidden_state
	enc     *EncoderBuffers
	kv      []float32 // [n·S][3·hidden] head in-projection, in enc's region (after the layers)
	att     []float32 // [n][hidden]
	pooled  []float32 // [n][hidden] pooler_output
	h       []float32 // [n][hidden]
	mlp     []float32 // [n][intermediate]
}

// visionEncoderSize is the vision tower's demand on a plan's encoder
// buffers for maxImages images.
func visionEncoderSize(v VisionConfig, maxImages int) encoderSize {
	s, h := v.NumPatches(), v.HiddenSize
	t := maxImages * s
	return encoderSize{tokens: t, seq: s, hidden: h, heads: v.NumAttentionHeads, inter: v.IntermediateSize,
		region: max(t*v.NumChannels*v.PatchSize*v.PatchSize, t*3*h)}
}

// newVisionBuffers allocates the tower's buffers around enc (made with
// visionEncoderSize among its sizes).
func newVisionBuffers(v VisionConfig, maxImages int, enc *EncoderBuffers) *visionBuffers {
	s, h, in := v.NumPatches(), v.HiddenSize, v.IntermediateSize
	t := maxImages * s
	return &visionBuffers{
		patches: enc.regionUse(t * v.NumChannels * v.PatchSize * v.PatchSize),
		x:       make([]float32, t*h),
		enc:     enc,
		kv:      enc.regionUse(t * 3 * h),
		att:     make([]float32, maxImages*h), pooled: make([]float32, maxImages*h),
		h: make([]float32, maxImages*h), mlp: make([]float32, maxImages*in),
	}
}

// PatchEmbed writes the patch embeddings plus position embeddings of n
// images pixels[n][C][size][size] into x[n·patches][hidden]. patches is
// scratch of n·patches·C·p·p floats. The grid is GridSize² patches from
// the top-left corner; when patch_size does not divide image_size the
// right and bottom remainder is ignored, as transformers' convolution does.
func (t *VisionTower) PatchEmbed(x, pixels []float32, n int, patches []float32, s *kernel.Scratch) {
	v := t.Cfg
	c, p, size := v.NumChannels, v.PatchSize, v.ImageSize
	g, S, h := v.GridSize(), v.NumPatches(), v.HiddenSize
	pv := c * p * p
	for b := 0; b < n; b++ {
		img := pixels[b*c*size*size : (b+1)*c*size*size]
		for py := 0; py < g; py++ {
			for px := 0; px < g; px++ {
				dst := patches[(b*S+py*g+px)*pv : (b*S+py*g+px+1)*pv]
				i := 0
				for ch := 0; ch < c; ch++ {
					for y := 0; y < p; y++ {
						row := img[ch*size*size+(py*p+y)*size+px*p:]
						i += copy(dst[i:i+p], row[:p])
					}
				}
			}
		}
	}
	stage("patch_gather")
	t.Patch.Apply(x, patches, n*S, t.PatchB, s)
	for b := 0; b < n; b++ {
		addInPlace(x[b*S*h:(b+1)*S*h], t.Pos)
	}
	stage("patch_embed")
}

// Pool runs the attention-pooling head over the last hidden state
// x[n·patches][hidden], writing pooler_output[n][hidden] into b.pooled.
func (hd *PoolingHead) Pool(pooled, x []float32, n, seq int, b *visionBuffers) {
	h := hd.Hidden
	if hd.kvProj != nil {
		hd.kvProj.Apply(b.kv, x, n*seq, hd.InProjB[h:], &b.enc.Scratch)
		for i := 0; i < n; i++ {
			kv := b.kv[i*seq*2*h:]
			kernel.Attention(b.att[i*h:], h, hd.ProbeQ, h, kv, 2*h, kv[h:], 2*h, 1, seq, hd.Heads, h/hd.Heads, b.enc.Scores)
		}
	} else {
		hd.InProj.Apply(b.kv, x, n*seq, hd.InProjB, &b.enc.Scratch)
		for i := 0; i < n; i++ {
			kv := b.kv[i*seq*3*h:]
			kernel.Attention(b.att[i*h:], h, hd.ProbeQ, h, kv[h:], 3*h, kv[2*h:], 3*h, 1, seq, hd.Heads, h/hd.Heads, b.enc.Scores)
		}
	}
	hd.Out.Apply(pooled, b.att, n, hd.OutB, &b.enc.Scratch)
	kernel.LayerNorm(b.h, pooled, n, h, hd.LNW, hd.LNB, hd.Eps)
	mlp := b.mlp[:n*hd.FC1.Out()]
	hd.FC1.Apply(mlp, b.h, n, hd.FC1B, &b.enc.Scratch)
	hd.act(mlp)
	hd.FC2.Apply(b.h, mlp, n, hd.FC2B, &b.enc.Scratch)
	addInPlace(pooled[:n*h], b.h[:n*h])
}

// forward runs the tower on n images: last_hidden_state into b.x,
// pooler_output into b.pooled.
func (t *VisionTower) forward(pixels []float32, n int, b *visionBuffers) {
	v := t.Cfg
	S, h := v.NumPatches(), v.HiddenSize
	t.PatchEmbed(b.x, pixels, n, b.patches, &b.enc.Scratch)
	for _, l := range t.Layers {
		l.Forward(b.x, n, S, b.enc)
	}
	kernel.LayerNorm(b.x, b.x, n*S, h, t.PostW, t.PostB, float32(v.LayerNormEps))
	stage("layernorm")
	t.Head.Pool(b.pooled, b.x, n, S, b)
	stage("pool_head")
}
