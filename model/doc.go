// Package model is SigLIP (Hugging Face SiglipModel) as a Go engine: the
// configuration (HF config.json field names), weight loading, the vision
// and text towers, and an execution Plan that runs them over preallocated
// buffers.
//
// # Loading
//
// From a Hugging Face snapshot (bytes of config.json and model.safetensors;
// this package does no file I/O):
//
//	m, err := model.LoadHF(configJSON, safetensorsBytes)
//
// From any WeightSource (the formula weights, a quantized model file, …):
//
//	cfg, err := model.ParseConfigJSON(configJSON)
//	m, err := model.Load(cfg, src)
//
// # Weight sources
//
// Weights reach the model only through the small WeightSource interface,
// by HF tensor name (model.TensorSpecs lists them all with their shapes):
//
//	type WeightSource interface {
//	    Float(name string, shape ...int) ([]float32, error)     // norms, biases, position embeddings, probe, logit scale/bias
//	    Linear(name string, shape ...int) (Linear, error)        // projections; shape[0] = out, product of the rest = in
//	    Embedding(name string, vocab, hidden int) (Embedding, error) // the token table
//	}
//	type Linear interface {
//	    In() int
//	    Out() int
//	    Apply(dst, src []float32, m int, bias []float32, s *kernel.Scratch) // dst[m][Out] = src[m][In]·Wᵀ + bias
//	}
//	type Embedding interface { Vocab() int; Dim() int; Row(id int, dst []float32) }
//
// A source decides the form of each Linear: F32Linear (kernel.PackedF32,
// kernel.MatMulF32) or Q8Linear (kernel.PackedQ8, kernel.MatMulQ8; int8
// weights with per-output-row scales, never expanded to float32). Another
// package can add its own Linear or Embedding (int4, quantized token
// table) without touching this one. Sources must be safe for concurrent
// calls: Load fetches layers in parallel. Which tensors are Linears is
// what the loaders ask for (TensorSpecs records it): every *_proj.weight, fc1/fc2.weight, the text head,
// the head's in_proj_weight and the patch-embedding weight [hidden, C, p,
// p] (a Linear over patch vectors in (c, y, x) order).
//
// Provided sources: FromSafetensors (F32/F16/BF16 HF files), FormulaSource
// (the reference formula weights of testdata/REFDATA.md) and Quantized
// (wraps a source, turning its Linears into Q8Linear at load).
//
// # Running
//
//	p, err := m.NewPlan(maxImages, maxTexts) // buffers allocated here, once
//	img, err := p.Images(pixels, n)          // pixels [n][C][S][S] → L2-normalised [n][D]
//	txt, err := p.Texts(ids, k)              // ids [k][seq] int32 → L2-normalised [k][D]
//	logits := make([]float32, n*k)
//	m.LogitsPerImage(logits, img, txt, n, k) // HF logits_per_image
//	model.Sigmoid(logits)                    // probabilities
//
// Returned slices are views into the plan, valid until the next call of
// the same tower; after the first call a plan allocates nothing. A Plan is
// for one goroutine at a time; the Model is shared read-only.
//
// The computation follows transformers' modeling_siglip: pre-LN encoder
// layers with unmasked multi-head attention; the vision tower ends in
// post_layernorm and the multi-head attention pooling head (the learned
// probe as the single query); the text tower ends in final_layer_norm and
// pools the last token (index seq−1) through its head. Stage-level pieces
// (VisionTower.PatchEmbed, EncoderLayer.Forward, PoolingHead.Pool,
// TextTower.Embed) are exported for tests.
package model
