package hub

import (
	"context"
	"errors"
	"path/filepath"
)

// Snapshot downloads what a model file is made from — config.json,
// model.safetensors, preprocessor_config.json when there is one, and the tokenizer (spiece.model, or tokenizer.json
// when the repository has no spiece.model) — and returns the directory
// holding them.
func (c *Client) Snapshot(ctx context.Context, r Ref) (string, error) {
	var dir string
	for _, f := range []string{"config.json", "model.safetensors"} {
		p, err := c.Download(ctx, r, f)
		if err != nil {
			return "", err
		}
		dir = filepath.Dir(p)
	}
	// preprocessor_config.json is optional (transformers' defaults apply).
	if _, err := c.Download(ctx, r, "preprocessor_config.json"); err != nil {
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			return "", err
		}
	}
	if _, err := c.Download(ctx, r, "spiece.model"); err != nil {
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			return "", err
		}
		if _, err := c.Download(ctx, r, "tokenizer.json"); err != nil {
			return "", err
		}
	}
	return dir, nil
}
