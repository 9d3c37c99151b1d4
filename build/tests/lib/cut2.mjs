// makeCut2 writes the base-256 architecture (testdata/full/config.json) cut
// to 2 layers per tower, with the formula weights of testdata/REFDATA.md,
// as a q8 model file (XLNet vocabulary), and the reference it is checked
// against: the f32 model on the same formula weights run by our native Go
// engine (transformers cannot run the cut: no checkpoint exists, and its
// own goldens are for 12 layers), for the tiny goldens' texts and first two
// images. Returns {file, ref: {texts: [[...]], images: [[...]]}}; made once
// per tmp directory.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './tiny.mjs';

const made = new Map();
export function makeCut2(tmp) {
  if (made.has(tmp)) return made.get(tmp);
  const dir = path.join(tmp, 'mkcut2');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.go'), `package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

type formula map[string][]int

func (f formula) Tensor(name string) ([]int, []float32, error) {
	s, ok := f[name]
	if !ok {
		return nil, nil, fmt.Errorf("no tensor %s", name)
	}
	return s, model.FormulaTensor(name, s...), nil
}

func main() {
	var raw map[string]any
	b, err := os.ReadFile("testdata/full/config.json")
	check(err)
	check(json.Unmarshal(b, &raw))
	raw["text_config"].(map[string]any)["num_hidden_layers"] = 2
	raw["vision_config"].(map[string]any)["num_hidden_layers"] = 2
	cfgJSON, err := json.Marshal(raw)
	check(err)
	specs, err := weights.Specs(cfgJSON)
	check(err)
	src := formula{}
	for _, s := range specs {
		src[s.Name] = s.HFShape
	}
	tokBytes, err := os.ReadFile("testdata/tokenizer/xlnet-base-cased-spiece.model")
	check(err)
	var out bytes.Buffer
	check(modelfile.Write(&out, weights.Specs, cfgJSON, tokBytes, "spiece.model", src, "q8"))
	check(os.WriteFile(os.Args[1], out.Bytes(), 0o644))

	cfg, err := model.ParseConfigJSON(cfgJSON)
	check(err)
	m, err := model.Load(cfg, model.FormulaSource{})
	check(err)
	var meta struct {
		Texts  []string \`json:"texts"\`
		Images []string \`json:"images"\`
	}
	mb, err := os.ReadFile("testdata/tiny/golden_meta.json")
	check(err)
	check(json.Unmarshal(mb, &meta))
	plan, err := m.NewPlan(1, len(meta.Texts))
	check(err)
	tok, err := tokenizer.Load(tokBytes)
	check(err)
	ids, err := tok.EncodeBatch(meta.Texts, cfg.TextConfig.MaxPositionEmbeddings)
	check(err)
	d := cfg.EmbedDim()
	emb, err := plan.Texts(ids, len(meta.Texts))
	check(err)
	ref := map[string][][]float32{}
	for i := range meta.Texts {
		ref["texts"] = append(ref["texts"], append([]float32(nil), emb[i*d:(i+1)*d]...))
	}
	pre := imageproc.Preprocessor{Size: cfg.VisionConfig.ImageSize}
	px := make([]float32, 3*pre.Size*pre.Size)
	for _, name := range meta.Images[:2] {
		data, err := os.ReadFile(filepath.Join("testdata/images", name))
		check(err)
		img, err := imageproc.Decode(data)
		check(err)
		check(pre.Into(px, imageproc.ToRGB(img)))
		e, err := plan.Images(px, 1)
		check(err)
		ref["images"] = append(ref["images"], append([]float32(nil), e...))
	}
	j, err := json.Marshal(ref)
	check(err)
	check(os.WriteFile(os.Args[2], j, 0o644))
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
`);
  const file = path.join(tmp, 'cut2-q8.siglip');
  const refFile = path.join(tmp, 'cut2-ref.json');
  execFileSync('go', ['run', path.join(dir, 'main.go'), file, refFile], { cwd: root, stdio: 'inherit' });
  const r = { file, ref: JSON.parse(fs.readFileSync(refFile, 'utf8')) };
  made.set(tmp, r);
  return r;
}
