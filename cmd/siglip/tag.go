package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
)

func init() {
	register("tag", "tag every image of an index with the labels above a probability (CSV or JSON)", runTag)
}

// runTag: siglip tag --index INDEX (--labels "a,b" | --labels-file F) [--template T]
// [--threshold P] [--model FILE] [--csv | --json]
func runTag(args []string) error {
	fs := flag.NewFlagSet("tag", flag.ContinueOnError)
	indexPath := fs.String("index", "", "index file (siglip index)")
	modelPath := fs.String("model", "", "the model the index was made with (default: the path recorded in the index)")
	labels := fs.String("labels", "", `comma-separated labels, e.g. "cat,dog,car"`)
	labelsFile := fs.String("labels-file", "", "a file with one label a line")
	template := fs.String("template", defaultTemplate, `prompt for each label, {} is the label`)
	threshold := fs.Float64("threshold", 0.5, "keep labels whose sigmoid probability is at least this")
	asCSV := fs.Bool("csv", false, "write CSV: image,label,score,logit (one row per tag)")
	asJSON := fs.Bool("json", false, `write JSON lines: {"image", "tags": [{"label", "score", "logit"}]}, best first`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *asCSV && *asJSON {
		return errors.New("give --csv or --json, not both")
	}
	if !(*threshold >= 0 && *threshold <= 1) {
		return fmt.Errorf("--threshold %v: want a probability in [0, 1]", *threshold)
	}
	ls, prompts, err := labelPrompts(*labels, *labelsFile, *template)
	if err != nil {
		return err
	}
	a, err := indexModel(*indexPath, *modelPath)
	if err != nil {
		return err
	}
	txt, err := a.embedTexts(prompts)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(searchOut)
	if *asCSV {
		cw.Write([]string{"image", "label", "score", "logit"})
	}
	enc := json.NewEncoder(searchOut)
	_, err = forEachEntry(*indexPath, func(_ indexHeader, img string, emb []float32) error {
		var tags []scoredLabel
		for _, r := range rankLabels(ls, a.logits(emb, txt, len(ls)), 0) {
			if float64(r.Score) >= *threshold {
				tags = append(tags, r)
			}
		}
		switch {
		case *asCSV:
			for _, t := range tags {
				cw.Write([]string{img, t.Label, strconv.FormatFloat(float64(t.Score), 'g', -1, 32), strconv.FormatFloat(float64(t.Logit), 'g', -1, 32)})
			}
			return cw.Error()
		case *asJSON:
			if tags == nil {
				tags = []scoredLabel{}
			}
			return enc.Encode(struct {
				Image string        `json:"image"`
				Tags  []scoredLabel `json:"tags"`
			}{img, tags})
		default:
			parts := make([]string, len(tags))
			for i, t := range tags {
				parts[i] = fmt.Sprintf("%s (%.2f)", t.Label, t.Score)
			}
			_, err := fmt.Fprintf(searchOut, "%s: %s\n", img, strings.Join(parts, ", "))
			return err
		}
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}
