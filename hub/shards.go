package hub

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
)

// Checkpoint file names as transformers saves them.
const (
	SafetensorsFile  = "model.safetensors"
	SafetensorsIndex = "model.safetensors.index.json"
	PickleFile       = "pytorch_model.bin"
	PickleIndex      = "pytorch_model.bin.index.json"
)

// Index is a sharded checkpoint's model.safetensors.index.json.
type Index struct {
	// WeightMap maps each tensor name to the shard file holding it.
	WeightMap map[string]string `json:"weight_map"`
}

// ParseIndex reads a model.safetensors.index.json and checks that every
// shard is a plain .safetensors file name beside the index (no directory,
// no "..": the names come from the repository and become local paths).
func ParseIndex(b []byte) (*Index, error) {
	var ix Index
	if err := json.Unmarshal(b, &ix); err != nil {
		return nil, fmt.Errorf("%s: %v", SafetensorsIndex, err)
	}
	if len(ix.WeightMap) == 0 {
		return nil, fmt.Errorf("%s: no weight_map", SafetensorsIndex)
	}
	for name, f := range ix.WeightMap {
		if f == "" || f != path.Base(f) || strings.ContainsAny(f, `\:`) || f == "." || f == ".." || !strings.HasSuffix(f, ".safetensors") {
			return nil, fmt.Errorf("%s: tensor %q is in shard %q, which is not a .safetensors file name beside the index", SafetensorsIndex, name, f)
		}
	}
	return &ix, nil
}

// Shards returns the shard file names, sorted, each once.
func (ix *Index) Shards() []string {
	var out []string
	for _, f := range ix.WeightMap {
		out = append(out, f)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// PickleOnlyError says a repository (or directory) has PyTorch pickle
// weights but no safetensors, with the ways out.
func PickleOnlyError(where string) error {
	return fmt.Errorf("%s has only PyTorch pickle weights (%s), no %s: this converter does not unpickle (a pickle can run code). "+
		"Use a safetensors revision instead — many Hub repositories have one as an open pull request, "+
		"e.g. hf:OWNER/REPO@refs/pr/N (see the repository's \"Community\" tab, the bot's \"Adding `safetensors` variant\") — "+
		"or convert the pickle elsewhere (transformers: model.save_pretrained(dir, safe_serialization=True))", where, PickleFile, SafetensorsFile)
}
