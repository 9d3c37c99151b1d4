package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

// appModel is a .siglip model file as the verbs for people (classify, index,
// search, tag) use it: the file they ship in the page, with its tokenizer.
type appModel struct {
	path, sha256 string
	m            *model.Model
	tok          *tokenizer.Tokenizer
	seq          int                  // token ids per text
	proc         imageproc.Processing // the model's preprocessing (its preprocessor_config)
}

// textChunk bounds how many texts are embedded at once (labels, queries).
const textChunk = 32

// maxImageFileBytes bounds one image file's read (a 36-megapixel PNG or JPEG
// is far below it); bigger files are skipped with a message, not read.
const maxImageFileBytes = 256 << 20

// notSnapshot refuses a directory given as a .siglip model, naming the fix:
// these verbs record the model file's SHA-256 in what they write, so they
// take the converted file, not a Hugging Face snapshot (embed takes both).
func notSnapshot(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("--model %s is a directory (a Hugging Face snapshot?): this verb takes a .siglip model file; make one with `siglip convert --in %s --out MODEL.siglip`", path, path)
	}
	return nil
}

func openAppModel(path string) (*appModel, error) {
	if path == "" {
		return nil, errors.New("--model FILE is required (a .siglip file from siglip convert)")
	}
	if err := notSnapshot(path); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, f, err := weights.Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	tb, kind := f.Tokenizer()
	tok, err := tokenizer.LoadWithText(tb, f.Text) // the text pipeline the converter stored (SigLIP 2: <pad>, lowercase)
	if err != nil {
		return nil, fmt.Errorf("%s: tokenizer (%s) inside the model file: %v", path, kind, err)
	}
	if m.Vision == nil || m.Text == nil {
		return nil, fmt.Errorf("%s: needs both towers", path)
	}
	proc, err := imageproc.ParsePreprocessorConfig(f.Preprocessor(), m.Config.VisionConfig.ImageSize)
	if err != nil {
		return nil, fmt.Errorf("%s: preprocessing stored in the model file: %v", path, err)
	}
	sum := sha256.Sum256(b)
	return &appModel{path: path, sha256: hex.EncodeToString(sum[:]), m: m, tok: tok,
		seq: tok.SeqLen(m.Config.TextConfig.MaxPositionEmbeddings), proc: proc}, nil
}

// embedTexts returns the L2-normalised embeddings [len(texts)][D], computed
// textChunk at a time.
func (a *appModel) embedTexts(texts []string) ([]float32, error) {
	d := a.m.Config.EmbedDim()
	out := make([]float32, 0, len(texts)*d)
	p, err := a.m.NewPlan(0, min(textChunk, max(len(texts), 1)))
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(texts); i += textChunk {
		part := texts[i:min(i+textChunk, len(texts))]
		ids, err := a.tok.EncodeBatch(part, a.seq)
		if err != nil {
			return nil, err
		}
		e, err := p.Texts(ids, len(part))
		if err != nil {
			return nil, err
		}
		out = append(out, e...)
	}
	return out, nil
}

// imageEmbedder embeds one image file at a time with its own plan (one per
// goroutine: a Plan is not safe for concurrent use).
type imageEmbedder struct {
	a    *appModel
	plan *model.Plan
	pre  *imageproc.Preprocessor
	px   []float32
}

func (a *appModel) newImageEmbedder() (*imageEmbedder, error) {
	p, err := a.m.NewPlan(1, 0)
	if err != nil {
		return nil, err
	}
	v := a.m.Config.VisionConfig
	return &imageEmbedder{a: a, plan: p, pre: imageproc.NewPreprocessor(a.proc),
		px: make([]float32, v.NumChannels*v.ImageSize*v.ImageSize)}, nil
}

// embedFile returns the image's L2-normalised embedding (a view, valid until
// the next call).
func (e *imageEmbedder) embedFile(path string) ([]float32, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if st.Size() > maxImageFileBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d MiB an image file may have", path, st.Size(), maxImageFileBytes>>20)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	img, err := imageproc.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if err := e.pre.Into(e.px, imageproc.ToRGB(img)); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return e.plan.Images(e.px, 1)
}

// logits returns cos(image, text_j)·exp(scale) + bias for every text.
func (a *appModel) logits(img, txt []float32, nTxt int) []float32 {
	out := make([]float32, nTxt)
	a.m.LogitsPerImage(out, img, txt, 1, nTxt)
	return out
}

// readLabels takes --labels "a,b,c" or --labels-file (one label a line).
func readLabels(list, file string) ([]string, error) {
	if (list == "") == (file == "") {
		return nil, errors.New(`give --labels "a,b,c" or --labels-file FILE (one label a line)`)
	}
	var raw []string
	if list != "" {
		raw = strings.Split(list, ",")
	} else {
		b, err := readInput(file, "--labels-file", maxLabelsFileBytes)
		if err != nil {
			return nil, err
		}
		raw = strings.Split(string(b), "\n")
	}
	var out []string
	seen := map[string]bool{}
	for _, l := range raw {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if seen[l] {
			return nil, fmt.Errorf("label %q given twice", l)
		}
		if err := tokenizer.CheckText(fmt.Sprintf("label %d", len(out)+1), l); err != nil {
			return nil, err
		}
		seen[l] = true
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, errors.New("no labels (all empty)")
	}
	return out, nil
}

// labelPrompts reads the labels (readLabels) and makes their prompts
// (applyTemplate): what classify and tag both take from their flags.
func labelPrompts(list, file, template string) (labels, prompts []string, err error) {
	if labels, err = readLabels(list, file); err != nil {
		return nil, nil, err
	}
	if prompts, err = applyTemplate(labels, template); err != nil {
		return nil, nil, err
	}
	return labels, prompts, nil
}

// applyTemplate turns labels into prompts: T with {} replaced by the label.
func applyTemplate(labels []string, t string) ([]string, error) {
	if !strings.Contains(t, "{}") {
		return nil, fmt.Errorf("--template %q has no {} for the label", t)
	}
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = strings.ReplaceAll(t, "{}", l)
	}
	return out, nil
}
