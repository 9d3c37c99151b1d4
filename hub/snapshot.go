package hub

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Snapshot downloads what a model file is made from — config.json,
// model.safetensors (or model.safetensors.index.json and every shard it
// names, each with the same resume and hash check), preprocessor_config.json
// and tokenizer_config.json when there are ones, and the tokenizer
// (spiece.model, or tokenizer.json when the repository has no spiece.model,
// or else tokenizer.model) — and returns the directory
// holding them.
func (c *Client) Snapshot(ctx context.Context, r Ref) (string, error) {
	p, err := c.Download(ctx, r, "config.json")
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(p)
	if err := c.weights(ctx, r); err != nil {
		return "", err
	}
	// preprocessor_config.json and tokenizer_config.json are optional
	// (transformers' defaults apply).
	for _, f := range []string{"preprocessor_config.json", "tokenizer_config.json"} {
		if _, err := c.Download(ctx, r, f); err != nil {
			var nf *NotFoundError
			if !errors.As(err, &nf) {
				return "", err
			}
		}
	}
	if _, err := c.Download(ctx, r, "spiece.model"); err != nil {
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			return "", err
		}
		if _, err := c.Download(ctx, r, "tokenizer.json"); err != nil {
			if !errors.As(err, &nf) {
				return "", err
			}
			// Gemma-style repositories may ship only a SentencePiece
			// tokenizer.model (the converter reads it as spiece.model).
			if _, err2 := c.Download(ctx, r, "tokenizer.model"); err2 != nil {
				if errors.As(err2, &nf) {
					return "", err // name tokenizer.json, the usual file
				}
				return "", err2
			}
		}
	}
	return dir, nil
}

// weights downloads model.safetensors, or a sharded checkpoint's index
// and shards; a repository with only pickle weights gets PickleOnlyError.
func (c *Client) weights(ctx context.Context, r Ref) error {
	_, err := c.Download(ctx, r, SafetensorsFile)
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		return err
	}
	ip, ierr := c.Download(ctx, r, SafetensorsIndex)
	if errors.As(ierr, &nf) {
		for _, f := range []string{PickleFile, PickleIndex} {
			if _, herr := c.head(ctx, r, f); herr == nil {
				return PickleOnlyError(r.String())
			}
		}
		return err // neither: say model.safetensors is missing
	}
	if ierr != nil {
		return ierr
	}
	b, err := os.ReadFile(ip)
	if err != nil {
		return err
	}
	ix, err := ParseIndex(b)
	if err != nil {
		return fmt.Errorf("hub: %s: %v", r, err)
	}
	for _, f := range ix.Shards() {
		if _, err := c.Download(ctx, r, f); err != nil {
			return err
		}
	}
	return nil
}
