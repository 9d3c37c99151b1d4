package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/siglip-wasm/siglip-wasm/model"
)

func init() {
	register("classify", "zero-shot classify images against labels (ranked table, or --json lines)", runClassify)
}

// classifyOut is where classify writes (a variable for tests).
var classifyOut io.Writer = os.Stdout

// scoredLabel is one label's result: score is SigLIP's sigmoid probability.
type scoredLabel struct {
	Label string  `json:"label"`
	Score float32 `json:"score"`
	Logit float32 `json:"logit"`
}

// defaultTemplate uses the labels as they are written.
const defaultTemplate = "{}"

// runClassify: siglip classify --model FILE (--labels "a,b,c" | --labels-file F)
// [--template T] [--top K] [--json] IMAGE...
func runClassify(args []string) error {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	modelPath := fs.String("model", "", "a .siglip model file (siglip convert)")
	labels := fs.String("labels", "", `comma-separated labels, e.g. "cat,dog,car"`)
	labelsFile := fs.String("labels-file", "", "a file with one label a line")
	template := fs.String("template", defaultTemplate, `prompt for each label, {} is the label (e.g. "a photo of a {}")`)
	top := fs.Int("top", 0, "show only the K best labels per image (0: all)")
	asJSON := fs.Bool("json", false, `one JSON object a line per image: {"image", "labels": [{"label", "score", "logit"}]}, best first`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("give one or more IMAGE files after the flags")
	}
	if *top < 0 {
		return fmt.Errorf("--top %d: want ≥ 0", *top)
	}
	ls, prompts, err := labelPrompts(*labels, *labelsFile, *template)
	if err != nil {
		return err
	}
	a, err := openAppModel(*modelPath)
	if err != nil {
		return err
	}
	txt, err := a.embedTexts(prompts)
	if err != nil {
		return err
	}
	e, err := a.newImageEmbedder()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(classifyOut)
	failed := 0
	for _, path := range fs.Args() {
		img, err := e.embedFile(path)
		if err != nil {
			// One bad file does not stop the others; the exit status says so.
			fmt.Fprintf(os.Stderr, "siglip classify: %v\n", err)
			failed++
			continue
		}
		ranked := rankLabels(ls, a.logits(img, txt, len(ls)), *top)
		if *asJSON {
			if err := enc.Encode(struct {
				Image  string        `json:"image"`
				Labels []scoredLabel `json:"labels"`
			}{path, ranked}); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintln(classifyOut, path)
		for _, r := range ranked {
			fmt.Fprintf(classifyOut, "  %.4f  %s\n", r.Score, r.Label)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d images could not be read", failed, fs.NArg())
	}
	return nil
}

// rankLabels sorts labels by logit, best first (ties keep the given order),
// keeping the top k (all if k is 0).
func rankLabels(labels []string, logits []float32, k int) []scoredLabel {
	out := make([]scoredLabel, len(labels))
	probs := append([]float32(nil), logits...)
	model.Sigmoid(probs)
	for i, l := range labels {
		out[i] = scoredLabel{l, probs[i], logits[i]}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Logit > out[j].Logit })
	if k > 0 && k < len(out) {
		out = out[:k]
	}
	return out
}
