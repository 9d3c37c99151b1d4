package weights

import (
	"math"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/ref64"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// A patch size that does not divide the image, through the file format:
// 44 px in patches of 14 is a 3×3 grid with 2 px ignored on the right and
// bottom (as transformers' convolution does; so400m-patch14-384's 27×27
// at small widths). The file's position table has 9 rows, and f32 and q8
// files match the float64 oracle (logits within 1e-5 and cosine ≥ 0.999).
func TestRemainderGridFile(t *testing.T) {
	cfg := []byte(`{"model_type":"siglip",
	 "text_config":{"hidden_size":64,"intermediate_size":128,"num_attention_heads":4,"num_hidden_layers":2,"vocab_size":32000},
	 "vision_config":{"hidden_size":64,"intermediate_size":128,"num_attention_heads":4,"num_hidden_layers":2,"image_size":44,"patch_size":14}}`)
	const size, covered = 44, 42
	pixels := make([]float32, 2*3*size*size)
	for i := range pixels {
		x, y := i%size, (i/size)%size
		pixels[i] = float32(math.Sin(float64(i) * 0.013))
		if x >= covered || y >= covered {
			pixels[i] = 50 // no patch covers it: must not matter
		}
	}
	ids := make([]int32, 2*64)
	for i := range ids {
		ids[i] = 1
	}
	copy(ids, []int32{262, 1340, 13, 1})
	copy(ids[64:], []int32{31999, 7, 1})
	formula := func(name string, n int) []float32 { return model.FormulaTensor(name, n) }
	vis := ref64.Tower{Hidden: 64, Intermediate: 128, Layers: 2, Heads: 4, Eps: 1e-6, Channels: 3, ImageSize: size, PatchSize: 14}
	txt := ref64.Tower{Hidden: 64, Intermediate: 128, Layers: 2, Heads: 4, Eps: 1e-6, Vocab: 32000, Projection: 64}
	refImg, refTxt := ref64.Vision(vis, formula, pixels, 2), ref64.Text(txt, formula, ids, 2)
	refLogits := ref64.Logits(refImg, refTxt, 2, 2, float64(formula("logit_scale", 1)[0]), float64(formula("logit_bias", 1)[0]))
	for _, scheme := range []string{modelfile.SchemeF32, modelfile.SchemeQ8} {
		data := convert(t, cfg, newFormula(t, cfg), scheme)
		f, err := Open(data)
		if err != nil {
			t.Fatal(err)
		}
		if pos, err := f.Float32s("vision_model.embeddings.position_embedding.weight"); err != nil || len(pos) != 9*64 {
			t.Fatalf("%s: position table has %d values, want 9×64", scheme, len(pos))
		}
		m, _, err := Load(data)
		if err != nil {
			t.Fatal(err)
		}
		o := forward(t, m, pixels, 2, ids, 2)
		dl, cos := 0.0, 1.0
		for i := range refLogits {
			dl = math.Max(dl, math.Abs(float64(o.logits[i])-refLogits[i]))
		}
		for i := 0; i < 2; i++ {
			cos = math.Min(cos, cosine64(o.img[i*64:(i+1)*64], refImg[i*64:(i+1)*64]))
			cos = math.Min(cos, cosine64(o.txt[i*64:(i+1)*64], refTxt[i*64:(i+1)*64]))
		}
		t.Logf("%s: logits max abs err %.3g, min embedding cosine %.7f", scheme, dl, cos)
		if scheme == modelfile.SchemeF32 && !(dl <= 1e-5) {
			t.Errorf("f32: logits max abs err %g > 1e-5", dl)
		}
		if !(cos >= 0.999) {
			t.Errorf("%s: embedding cosine %v < 0.999", scheme, cos)
		}
	}
}

func cosine64(a []float32, b []float64) float64 {
	var ab, aa, bb float64
	for i := range b {
		ab += float64(a[i]) * b[i]
		aa += float64(a[i]) * float64(a[i])
		bb += b[i] * b[i]
	}
	return ab / math.Sqrt(aa*bb)
}
