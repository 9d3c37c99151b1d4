package main

import (
	"container/heap"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

func init() {
	register("search", "rank the images of an index by a text (siglip index builds it)", runSearch)
}

// searchOut is where search and tag write (a variable for tests).
var searchOut io.Writer = os.Stdout

// runSearch: siglip search --index INDEX [--model FILE] "text" [--top K] [--json]
func runSearch(args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	indexPath := fs.String("index", "", "index file (siglip index)")
	modelPath := fs.String("model", "", "the model the index was made with (default: the path recorded in the index)")
	top := fs.Int("top", 10, "how many images to list")
	asJSON := fs.Bool("json", false, `write [{"image", "score"}, …], best first`)
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New(`give exactly one search text, e.g. siglip search --index lib.idx "a red square"`)
	}
	if *top < 1 {
		return fmt.Errorf("--top %d: want ≥ 1", *top)
	}
	// The same bound as every other text path, before the index or the
	// model is opened.
	if err := tokenizer.CheckText("the search text", fs.Arg(0)); err != nil {
		return err
	}
	a, err := indexModel(*indexPath, *modelPath)
	if err != nil {
		return err
	}
	txt, err := a.embedTexts([]string{fs.Arg(0)})
	if err != nil {
		return err
	}
	// A heap of the best K keeps memory flat in the size of the index.
	h := &hitHeap{}
	_, err = forEachEntry(*indexPath, func(_ indexHeader, img string, emb []float32) error {
		l := a.logits(emb, txt, 1)[0]
		if h.Len() < *top {
			heap.Push(h, hit{img, l})
		} else if l > (*h)[0].logit {
			(*h)[0] = hit{img, l}
			heap.Fix(h, 0)
		}
		return nil
	})
	if err != nil {
		return err
	}
	hits := append([]hit(nil), (*h)...)
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].logit != hits[j].logit {
			return hits[i].logit > hits[j].logit
		}
		return hits[i].image < hits[j].image
	})
	type result struct {
		Image string  `json:"image"`
		Score float32 `json:"score"`
	}
	res := make([]result, len(hits))
	for i, x := range hits {
		p := []float32{x.logit}
		model.Sigmoid(p)
		res[i] = result{x.image, p[0]}
	}
	if *asJSON {
		return json.NewEncoder(searchOut).Encode(res)
	}
	for _, r := range res {
		fmt.Fprintf(searchOut, "%.4f  %s\n", r.Score, r.Image)
	}
	return nil
}

// indexModel opens the model for an index: --model, or the path the index
// records; either way its SHA-256 must be the index's.
func indexModel(indexPath, modelPath string) (*appModel, error) {
	if indexPath == "" {
		return nil, errors.New("--index INDEX is required")
	}
	ir, err := openIndex(indexPath)
	if err != nil {
		return nil, err
	}
	h := ir.Header
	ir.Close()
	if modelPath == "" {
		modelPath = h.Model
	}
	a, err := openAppModel(modelPath)
	if err != nil {
		return nil, fmt.Errorf("%v (the model of %s; give it with --model)", err, indexPath)
	}
	if a.sha256 != h.ModelSHA256 {
		return nil, fmt.Errorf("%s is not the model %s was made with (SHA-256 %.12s…, the index's %.12s…)", modelPath, indexPath, a.sha256, h.ModelSHA256)
	}
	return a, nil
}

type hit struct {
	image string
	logit float32
}

// hitHeap is a min-heap by logit (the worst kept hit on top).
type hitHeap []hit

func (h hitHeap) Len() int { return len(h) }
func (h hitHeap) Less(i, j int) bool {
	if h[i].logit != h[j].logit {
		return h[i].logit < h[j].logit
	}
	return h[i].image > h[j].image
}
func (h hitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)   { *h = append(*h, x.(hit)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// reorderFlags lets the text come before or after the flags (Go's flag
// package stops at the first argument that is not a flag): every -x/--x
// argument (with its value where the flag takes one) is moved to the front.
func reorderFlags(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			name := a
			for len(name) > 0 && name[0] == '-' {
				name = name[1:]
			}
			if !containsRune(name, '=') && !boolFlags[name] && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return append(flags, rest...)
}

// boolFlags are the flags of search and tag that take no value.
var boolFlags = map[string]bool{"json": true, "csv": true}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}
