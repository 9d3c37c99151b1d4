package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/siglip-wasm/siglip-wasm/model"
)

func init() {
	register("embed", "image/text embeddings and sigmoid scores of a SigLIP model (JSON)", runEmbed)
}

// embedOut is where embed writes its JSON (a variable for tests).
var embedOut io.Writer = os.Stdout

// imageChunk is how many images embed runs at once (texts go textChunk at
// a time, classify_model.go's constant for every verb), so its memory is
// the model plus one chunk's activations whatever the number of inputs
// (an image chunk of 4 at 384² is about 60 MB of SigLIP-base activations).
const imageChunk = 4

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runEmbed(args []string) error {
	fs := flag.NewFlagSet("embed", flag.ContinueOnError)
	modelPath := fs.String("model", "", "Hugging Face snapshot directory (config.json + model.safetensors or its shards, read as convert reads it), a model.safetensors file, or a .siglip model file (siglip convert)")
	configPath := fs.String("config", "", "config.json (with --formula-weights, or to override the one beside --model)")
	formula := fs.Bool("formula-weights", false, "use the reference formula weights for --config instead of a weights file")
	tok := fs.String("tokenizer", "", "spiece.model or tokenizer.json for --text (default: the one beside --model)")
	idsPath := fs.String("input-ids", "", "token ids as .npy, integer [n, seq] or [seq]")
	pxPath := fs.String("pixel-values", "", "preprocessed images as .npy, float [n, C, H, W] or [C, H, W]")
	var images, texts multiFlag
	fs.Var(&images, "image", "image file (repeatable; - reads stdin)")
	fs.Var(&texts, "text", "text (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *idsPath == "" && *pxPath == "" && len(images) == 0 && len(texts) == 0 {
		return errors.New("nothing to embed: give --image/--text, or --input-ids and/or --pixel-values")
	}
	if len(texts) > 0 && *idsPath != "" {
		return errors.New("give --text or --input-ids, not both")
	}
	if len(images) > 0 && *pxPath != "" {
		return errors.New("give --image or --pixel-values, not both")
	}
	m, err := loadModel(*modelPath, *configPath, *formula)
	if err != nil {
		return err
	}
	var txt textBatches
	var img imageBatches
	switch {
	case *idsPath != "":
		var closer func() error
		if txt, closer, err = idBatches(*idsPath, m.Config.TextConfig); err != nil {
			return err
		}
		defer closer()
	case len(texts) > 0:
		if txt, err = textArgBatches(texts, *tok, *modelPath, m); err != nil {
			return err
		}
	}
	switch {
	case *pxPath != "":
		var closer func() error
		if img, closer, err = pixelBatches(*pxPath, m.Config.VisionConfig); err != nil {
			return err
		}
		defer closer()
	case len(images) > 0:
		proc, err := imageProcessing(*modelPath, m.Config.VisionConfig)
		if err != nil {
			return err
		}
		if img, err = imageFileBatches(images, m.Config.VisionConfig, proc); err != nil {
			return err
		}
	}
	w := bufio.NewWriter(embedOut)
	if err := embed(w, m, img, txt); err != nil {
		return err
	}
	return w.Flush()
}

// embed runs the model chunk by chunk and streams the JSON object
// {"image_embeds", "text_embeds", "logits_per_image", "probs_per_image"}
// to w as it goes. Only the embeddings are kept (both are needed for the
// logits), never more than one chunk's activations or input.
func embed(w io.Writer, m loaded, img imageBatches, txt textBatches) error {
	p, err := m.NewPlan(min(img.n, imageChunk), min(txt.n, textChunk))
	if err != nil {
		return err
	}
	d := m.Config.EmbedDim()
	out := newJSONObject(w)
	var imgEmb, txtEmb []float32
	if img.n > 0 {
		out.key("image_embeds")
		for lo := 0; lo < img.n; lo += imageChunk {
			k := min(imageChunk, img.n-lo)
			px, err := img.next(k)
			if err != nil {
				return err
			}
			e, err := p.Images(px, k)
			if err != nil {
				return err
			}
			out.rows(e, d)
			if txt.n > 0 {
				imgEmb = append(imgEmb, e...)
			}
		}
		out.end()
	}
	if txt.n > 0 {
		out.key("text_embeds")
		for lo := 0; lo < txt.n; lo += textChunk {
			k := min(textChunk, txt.n-lo)
			ids, err := txt.next(k)
			if err != nil {
				return err
			}
			e, err := p.Texts(ids, k)
			if err != nil {
				return err
			}
			out.rows(e, d)
			if img.n > 0 {
				txtEmb = append(txtEmb, e...)
			}
		}
		out.end()
	}
	if img.n > 0 && txt.n > 0 {
		logits := make([]float32, txt.n)
		for _, key := range []string{"logits_per_image", "probs_per_image"} {
			out.key(key)
			for i := range img.n {
				m.LogitsPerImage(logits, imgEmb[i*d:(i+1)*d], txtEmb, 1, txt.n)
				if key == "probs_per_image" {
					model.Sigmoid(logits)
				}
				out.rows(logits, txt.n)
			}
			out.end()
		}
	}
	return out.close()
}
