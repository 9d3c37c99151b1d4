package model

import (
	"fmt"

	"github.com/siglip-wasm/siglip-wasm/kernel"
)

// TextTower is SiglipTextTransformer: token + position embeddings, the
// encoder (no attention mask, as SiglipModel runs it without one),
// final_layer_norm, and the head applied to the last token.
type TextTower struct {
	Cfg    TextConfig
	Tok    Embedding
	Pos    []float32 // [max_position_embeddings][hidden]
	Layers []*EncoderLayer
	FinalW []float32
	FinalB []float32
	Head   Linear // [projection][hidden]
	HeadB  []float32
}

func loadText(src WeightSource, c TextConfig) (*TextTower, error) {
	act, err := activation(c.HiddenAct)
	if err != nil {
		return nil, fmt.Errorf("model: text_config.%v", err)
	}
	h := c.HiddenSize
	t := &TextTower{Cfg: c}
	t.Tok, err = src.Embedding("text_model.embeddings.token_embedding.weight", c.VocabSize, h)
	if err != nil {
		return nil, err
	}
	if t.Tok.Vocab() != c.VocabSize || t.Tok.Dim() != h {
		return nil, fmt.Errorf("model: token embedding is %d×%d, want %d×%d", t.Tok.Vocab(), t.Tok.Dim(), c.VocabSize, h)
	}
	fl := func(name string, shape ...int) []float32 {
		if err != nil {
			return nil
		}
		var x []float32
		x, err = src.Float(name, shape...)
		return x
	}
	t.Pos = fl("text_model.embeddings.position_embedding.weight", c.MaxPositionEmbeddings, h)
	t.FinalW = fl("text_model.final_layer_norm.weight", h)
	t.FinalB = fl("text_model.final_layer_norm.bias", h)
	t.HeadB = fl("text_model.head.bias", c.ProjectionSize)
	if err != nil {
		return nil, err
	}
	if t.Head, err = src.Linear("text_model.head.weight", c.ProjectionSize, h); err != nil {
		return nil, err
	}
	if err := checkLinears("text_model.head", []Linear{t.Head}, [][2]int{{c.ProjectionSize, h}}); err != nil {
		return nil, err
	}
	t.Layers, err = loadEncoder(src, "text_model.encoder", c.NumHiddenLayers, h, c.NumAttentionHeads, c.IntermediateSize, c.LayerNormEps, act)
	if err != nil {
		return nil, err
	}
	return t, nil
}

type textBuffers struct {
	x      []float32 // [n·seq][hidden]
	enc    *EncoderBuffers
	last   []float32 // [n][hidden] last token of each sequence
	pooled []float32 // [n][projection]
}

// textEncoderSize is the text tower's demand on a plan's encoder buffers
// for maxTexts texts.
func textEncoderSize(c TextConfig, maxTexts int) encoderSize {
	S := c.MaxPositionEmbeddings
	return encoderSize{tokens: maxTexts * S, seq: S, hidden: c.HiddenSize, heads: c.NumAttentionHeads, inter: c.IntermediateSize}
}

// newTextBuffers allocates the tower's buffers around enc (made with
// textEncoderSize among its sizes).
func newTextBuffers(c TextConfig, maxTexts int, enc *EncoderBuffers) *textBuffers {
	S, h := c.MaxPositionEmbeddings, c.HiddenSize
	return &textBuffers{x: make([]float32, maxTexts*S*h), enc: enc,
		last: make([]float32, maxTexts*h), pooled: make([]float32, maxTexts*c.ProjectionSize)}
}

// Embed writes token + position embeddings of ids[n·seq] into x.
func (t *TextTower) Embed(x []float32, ids []int32, n, seq int) {
	h := t.Cfg.HiddenSize
	for b := 0; b < n; b++ {
		for s := 0; s < seq; s++ {
			row := x[(b*seq+s)*h : (b*seq+s+1)*h]
			t.Tok.Row(int(ids[b*seq+s]), row)
			addInPlace(row, t.Pos[s*h:(s+1)*h])
		}
	}
}

func (t *TextTower) forward(ids []int32, n, seq int, b *textBuffers) {
	h := t.Cfg.HiddenSize
	t.Embed(b.x, ids, n, seq)
	stage("embed")
	for _, l := range t.Layers {
		l.Forward(b.x, n, seq, b.enc)
	}
	kernel.LayerNorm(b.x, b.x, n*seq, h, t.FinalW, t.FinalB, float32(t.Cfg.LayerNormEps))
	for i := 0; i < n; i++ {
		copy(b.last[i*h:(i+1)*h], b.x[((i+1)*seq-1)*h:((i+1)*seq)*h])
	}
	t.Head.Apply(b.pooled, b.last, n, t.HeadB, &b.enc.Scratch)
	stage("head")
}
