package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/siglip-wasm/siglip-wasm/hub"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// checkpoint is a snapshot's float weights, one model.safetensors or the
// shards of model.safetensors.index.json, each mapped into memory (not
// read into the heap), served as one modelfile.Source: a sharded snapshot
// converts to the same bytes as the unsharded one.
type checkpoint struct {
	files map[string]modelfile.Source // shard file name → its tensors
	where map[string]string           // tensor name → shard file name ("" unsharded)
	unmap []func() error
}

// openCheckpoint opens dir's weights. A directory with only PyTorch
// pickle weights gets hub.PickleOnlyError.
func openCheckpoint(dir string) (*checkpoint, error) {
	c := &checkpoint{files: map[string]modelfile.Source{}}
	single := filepath.Join(dir, hub.SafetensorsFile)
	if _, err := os.Stat(single); err == nil {
		return c, c.open(dir, hub.SafetensorsFile)
	}
	ib, err := os.ReadFile(filepath.Join(dir, hub.SafetensorsIndex))
	if errors.Is(err, fs.ErrNotExist) {
		for _, f := range []string{hub.PickleFile, hub.PickleIndex} {
			if _, serr := os.Stat(filepath.Join(dir, f)); serr == nil {
				return nil, hub.PickleOnlyError(dir)
			}
		}
		return nil, fmt.Errorf("%s: no %s (nor a sharded %s)", dir, hub.SafetensorsFile, hub.SafetensorsIndex)
	}
	if err != nil {
		return nil, err
	}
	ix, err := hub.ParseIndex(ib)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	for _, f := range ix.Shards() {
		if err := c.open(dir, f); err != nil {
			c.Close()
			return nil, err
		}
	}
	c.where = ix.WeightMap
	return c, nil
}

func (c *checkpoint) open(dir, name string) error {
	b, unmap, err := mapFile(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("%s: %v", dir, err)
	}
	c.unmap = append(c.unmap, unmap)
	st, err := safetensors.Parse(b)
	if err != nil {
		return fmt.Errorf("%s/%s: %v", dir, name, err)
	}
	c.files[name] = modelfile.FromSafetensors(st)
	return nil
}

// Tensor implements modelfile.Source.
func (c *checkpoint) Tensor(name string) ([]int, []float32, error) {
	if c.where == nil {
		return c.files[hub.SafetensorsFile].Tensor(name)
	}
	shard, ok := c.where[name]
	if !ok {
		return nil, nil, fmt.Errorf("tensor %q is not in %s's weight_map", name, hub.SafetensorsIndex)
	}
	shape, v, err := c.files[shard].Tensor(name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s (the shard %s names): %v", shard, hub.SafetensorsIndex, err)
	}
	return shape, v, nil
}

// Close unmaps every file; nothing read from the checkpoint may be used
// after it.
func (c *checkpoint) Close() error {
	var first error
	for _, u := range c.unmap {
		if err := u(); err != nil && first == nil {
			first = err
		}
	}
	c.unmap = nil
	return first
}
