package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

func init() {
	register("tokenize", "SigLIP input ids for texts: --tokenizer spiece.model|tokenizer.json [--max-length 64] TEXT..., or --model FILE (the tokenizer and text pipeline a model file stores) TEXT...", runTokenize)
}

func runTokenize(args []string) error {
	fs := flag.NewFlagSet("tokenize", flag.ContinueOnError)
	path := fs.String("tokenizer", "", "spiece.model or tokenizer.json")
	modelPath := fs.String("model", "", "model file written by `siglip convert`: use its tokenizer and stored text pipeline (instead of --tokenizer)")
	maxLen := fs.Int("max-length", 64, "pad/truncate every row to this many ids (SigLIP: 64; with --model: the model's own length)")
	decode := fs.Bool("decode", false, "also print each row decoded back to text")
	convert := fs.String("write-tokenizer-json", "", "write the spiece.model converted to a Hugging Face tokenizer.json at this path (TEXT then optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for i, a := range fs.Args() {
		if err := tokenizer.CheckText(fmt.Sprintf("TEXT %d", i+1), a); err != nil {
			return err
		}
	}
	if *modelPath != "" {
		if *path != "" || *convert != "" {
			return fmt.Errorf("--model takes the place of --tokenizer and --write-tokenizer-json")
		}
		if fs.NArg() == 0 {
			return fmt.Errorf("no TEXT given")
		}
		tok, seq, err := modelTokenizer(*modelPath)
		if err != nil {
			return err
		}
		return printIDs(tok, fs.Args(), seq, *decode)
	}
	if *path == "" {
		return fmt.Errorf("--tokenizer FILE (or --model FILE) is required")
	}
	data, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	if *convert != "" {
		js, err := tokenizer.ConvertToTokenizerJSON(data)
		if err != nil {
			return fmt.Errorf("%s: %w", *path, err)
		}
		if err := os.WriteFile(*convert, js, 0o644); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			return nil
		}
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("no TEXT given")
	}
	tok, err := tokenizer.Load(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	return printIDs(tok, fs.Args(), *maxLen, *decode)
}

// printIDs writes {"input_ids": [...], "decoded": [...]} for texts.
func printIDs(tok *tokenizer.Tokenizer, texts []string, maxLen int, decode bool) error {
	flat, err := tok.EncodeBatch(texts, maxLen)
	if err != nil {
		return err
	}
	out := struct {
		InputIDs [][]int32 `json:"input_ids"`
		Decoded  []string  `json:"decoded,omitempty"`
	}{}
	for i := range len(texts) {
		row := flat[i*maxLen : (i+1)*maxLen]
		out.InputIDs = append(out.InputIDs, row)
		if decode {
			s, err := tok.Decode(row)
			if err != nil {
				return err
			}
			out.Decoded = append(out.Decoded, s)
		}
	}
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(out)
}

// modelTokenizer loads the tokenizer and text pipeline a model file
// carries, and its row length (the stored max_length, at most
// max_position_embeddings).
func modelTokenizer(path string) (*tokenizer.Tokenizer, int, error) {
	if err := notSnapshot(path); err != nil {
		return nil, 0, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	f, err := weights.Open(b)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %v", path, err)
	}
	cfg, err := model.ParseConfigJSON(f.Config())
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %v", path, err)
	}
	data, _ := f.Tokenizer()
	tok, err := tokenizer.LoadWithText(data, f.Text)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: tokenizer inside the model file: %v", path, err)
	}
	return tok, tok.SeqLen(cfg.TextConfig.MaxPositionEmbeddings), nil
}
