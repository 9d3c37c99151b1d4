package model

// Plan runs a model over batches of up to MaxImages images and MaxTexts
// texts with buffers allocated once: after the first call, Images and
// Texts allocate nothing. A Plan is not safe for concurrent use (make one
// per goroutine; they share the Model). Results are views into the plan's
// buffers, valid until the next call of the same tower.
type Plan struct {
	M                   *Model
	MaxImages, MaxTexts int

	vb        *visionBuffers
	tb        *textBuffers
	imgEmb    []float32 // [n][D] normalised
	txtEmb    []float32
	nImg      int
	nTxt, seq int
}

// NewPlan allocates a plan for batches of up to maxImages images and
// maxTexts texts (either may be 0 to skip that tower's buffers).
func (m *Model) NewPlan(maxImages, maxTexts int) (*Plan, error) {
	if maxImages < 0 || maxTexts < 0 || maxImages+maxTexts == 0 {
		return nil, errorf("NewPlan(%d, %d): batch sizes must be ≥ 0 and not both 0", maxImages, maxTexts)
	}
	if maxImages > 0 && m.Vision == nil || maxTexts > 0 && m.Text == nil {
		return nil, errorf("NewPlan(%d, %d): the model was loaded without that tower (LoadTowers)", maxImages, maxTexts)
	}
	p := &Plan{M: m, MaxImages: maxImages, MaxTexts: maxTexts}
	d := m.Config.EmbedDim()
	// One set of encoder buffers for both towers: a plan runs one call at
	// a time, and each tower's results live outside them.
	var sizes []encoderSize
	if maxImages > 0 {
		sizes = append(sizes, visionEncoderSize(m.Config.VisionConfig, maxImages))
	}
	if maxTexts > 0 {
		sizes = append(sizes, textEncoderSize(m.Config.TextConfig, maxTexts))
	}
	enc := newEncoderBuffers(sizes...)
	if maxImages > 0 {
		p.vb = newVisionBuffers(m.Config.VisionConfig, maxImages, enc)
		p.imgEmb = make([]float32, maxImages*d)
	}
	if maxTexts > 0 {
		p.tb = newTextBuffers(m.Config.TextConfig, maxTexts, enc)
		p.txtEmb = make([]float32, maxTexts*d)
	}
	return p, nil
}

// Images runs the vision tower on n images pixels[n][C][size][size]
// (normalised as the SigLIP processor does) and returns the L2-normalised
// image embeddings [n][D].
func (p *Plan) Images(pixels []float32, n int) ([]float32, error) {
	v := p.M.Config.VisionConfig
	if n < 1 || n > p.MaxImages {
		return nil, errorf("Images: batch of %d images, plan holds 1..%d", n, p.MaxImages)
	}
	if want := n * v.NumChannels * v.ImageSize * v.ImageSize; len(pixels) != want {
		return nil, errorf("Images: %d pixel values, want %d (%d×%d×%d×%d)", len(pixels), want, n, v.NumChannels, v.ImageSize, v.ImageSize)
	}
	p.M.Vision.forward(pixels, n, p.vb)
	d := v.HiddenSize
	out := p.imgEmb[:n*d]
	copy(out, p.vb.pooled[:n*d])
	normalizeRows(out, n, d)
	p.nImg = n
	return out, nil
}

// Texts runs the text tower on n token sequences ids[n][seq] (seq =
// len(ids)/n, at most max_position_embeddings; SigLIP tokenizers pad to
// 64) and returns the L2-normalised text embeddings [n][D].
func (p *Plan) Texts(ids []int32, n int) ([]float32, error) {
	c := p.M.Config.TextConfig
	if n < 1 || n > p.MaxTexts {
		return nil, errorf("Texts: batch of %d texts, plan holds 1..%d", n, p.MaxTexts)
	}
	if len(ids)%n != 0 || len(ids) == 0 {
		return nil, errorf("Texts: %d token ids do not split into %d sequences", len(ids), n)
	}
	seq := len(ids) / n
	if seq > c.MaxPositionEmbeddings {
		return nil, errorf("Texts: sequences of %d tokens, longer than max_position_embeddings %d", seq, c.MaxPositionEmbeddings)
	}
	for i, id := range ids {
		if id < 0 || int(id) >= c.VocabSize {
			return nil, errorf("Texts: token id %d at position %d of sequence %d is outside the vocabulary [0, %d)", id, i%seq, i/seq, c.VocabSize)
		}
	}
	p.M.Text.forward(ids, n, seq, p.tb)
	d := c.ProjectionSize
	out := p.txtEmb[:n*d]
	copy(out, p.tb.pooled[:n*d])
	normalizeRows(out, n, d)
	p.nTxt, p.seq = n, seq
	return out, nil
}

// VisionLastHidden returns image i's last_hidden_state [patches][hidden]
// from the latest Images call (after post_layernorm, as HF).
func (p *Plan) VisionLastHidden(i int) []float32 {
	v := p.M.Config.VisionConfig
	n := v.NumPatches() * v.HiddenSize
	return p.vb.x[i*n : (i+1)*n]
}

// ImagePooler returns the latest Images call's pooler_output [n][hidden]
// (before normalisation).
func (p *Plan) ImagePooler() []float32 {
	return p.vb.pooled[:p.nImg*p.M.Config.VisionConfig.HiddenSize]
}

// TextLastHidden returns text i's last_hidden_state [seq][hidden] from the
// latest Texts call (after final_layer_norm).
func (p *Plan) TextLastHidden(i int) []float32 {
	n := p.seq * p.M.Config.TextConfig.HiddenSize
	return p.tb.x[i*n : (i+1)*n]
}

// TextPooler returns the latest Texts call's pooler_output [n][projection]
// (the head applied to the last token, before normalisation).
func (p *Plan) TextPooler() []float32 {
	return p.tb.pooled[:p.nTxt*p.M.Config.TextConfig.ProjectionSize]
}
