package weights

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// checkpoint is one published SigLIP checkpoint's shape (its config.json's
// fields that fix tensor sizes; both towers share widths and depth).
type checkpoint struct {
	name                                string
	vocab, hidden, inter, layers, heads int
	image, patch                        int
}

// checkpoints are those of issue 13, at their real depths.
var checkpoints = []checkpoint{
	{"google/siglip-base-patch16-224", 32000, 768, 3072, 12, 12, 224, 16},
	{"google/siglip-base-patch16-256", 32000, 768, 3072, 12, 12, 256, 16},
	{"google/siglip-base-patch16-384", 32000, 768, 3072, 12, 12, 384, 16},
	{"google/siglip-base-patch16-512", 32000, 768, 3072, 12, 12, 512, 16},
	{"google/siglip-large-patch16-256", 32000, 1024, 4096, 24, 16, 256, 16},
	{"google/siglip-large-patch16-384", 32000, 1024, 4096, 24, 16, 384, 16},
	{"google/siglip-so400m-patch14-224", 32000, 1152, 4304, 27, 16, 224, 14},
	{"google/siglip-so400m-patch14-384", 32000, 1152, 4304, 27, 16, 384, 14},
	{"google/siglip-base-patch16-256-multilingual", 250000, 768, 3072, 12, 12, 256, 16},
	{"google/siglip2-base-patch16-256", 256000, 768, 3072, 12, 12, 256, 16},
	{"google/siglip2-large-patch16-384", 256000, 1024, 4096, 24, 16, 384, 16},
	{"google/siglip2-so400m-patch14-384", 256000, 1152, 4304, 27, 16, 384, 14},
}

func (c checkpoint) config(t *testing.T) model.Config {
	tower := map[string]any{"hidden_size": c.hidden, "intermediate_size": c.inter, "num_hidden_layers": c.layers, "num_attention_heads": c.heads}
	text := map[string]any{"vocab_size": c.vocab}
	vision := map[string]any{"image_size": c.image, "patch_size": c.patch}
	for k, v := range tower {
		text[k], vision[k] = v, v
	}
	b, _ := json.Marshal(map[string]any{"model_type": "siglip", "text_config": text, "vision_config": vision})
	cfg, err := model.ParseConfigJSON(b)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return cfg
}

// TestCheckpointSizesInREADME: the README's checkpoint table gives each
// checkpoint's weight bytes per scheme as modelfile.WeightBytes computes
// them from the model's tensor table (exact: TestWeightBytesExact), so the
// table cannot drift from the code. Regenerate a row from this test's log.
func TestCheckpointSizesInREADME(t *testing.T) {
	readme, err := os.ReadFile(refdata.Path("../README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checkpoints {
		specs := FileSpecs(c.config(t))
		var cells []string
		for _, scheme := range []string{modelfile.SchemeF32, modelfile.SchemeF16, modelfile.SchemeQ8, modelfile.SchemeQ4} {
			cells = append(cells, fmt.Sprintf("%.1f", float64(modelfile.WeightBytes(specs, scheme, modelfile.Options{}))/1e6))
		}
		sizes := strings.Join(cells, " / ")
		t.Logf("%s: %s MB", c.name, sizes)
		row := ""
		for _, line := range strings.Split(string(readme), "\n") {
			if strings.HasPrefix(line, "| `"+c.name+"`") {
				row = line
			}
		}
		if !strings.HasSuffix(row, "| "+sizes+" |") {
			t.Errorf("README.md has no row for `%s` with sizes | %s | (f32 / f16 / q8 / q4 MB)", c.name, sizes)
		}
	}
}
