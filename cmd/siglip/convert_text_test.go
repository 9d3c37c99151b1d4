package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

// siglip2TokenizerConfig is what a SigLIP 2 snapshot's tokenizer_config.json
// says about the ids (transformers' convert_siglip2_to_hf.py makes it from
// GemmaTokenizerFast with add_bos_token=False, add_eos_token=True,
// padding_side="right").
const siglip2TokenizerConfig = `{"tokenizer_class": "GemmaTokenizer", "add_bos_token": false, "add_eos_token": true,
 "padding_side": "right", "pad_token": "<pad>", "eos_token": "<eos>", "bos_token": "<bos>", "unk_token": "<unk>",
 "model_max_length": 1000000000000000019884624838656, "clean_up_tokenization_spaces": false}`

// gemmaGoldens reads the Gemma tokenizer.json from build/node_modules and
// tokens_gemma3.json; skipped only on a developer machine without `npm ci`.
func gemmaGoldens(t *testing.T) (tokJSON []byte, strings []string, max64 [][]int32) {
	tokJSON, err := os.ReadFile(filepath.Join("..", "..", tokenizer.GemmaTokenizerPath))
	if errors.Is(err, fs.ErrNotExist) && os.Getenv("CI") == "" {
		t.Skipf("%s is missing: run `npm ci` in build/", tokenizer.GemmaTokenizerPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	g, err := refdata.LoadTokens("gemma3")
	if err != nil {
		t.Fatal(err)
	}
	return tokJSON, g.Strings, g.Variants.Siglip2Max64
}

// writeSiglip2Snapshot lays out a SigLIP 2 FixRes snapshot as the Hub has
// it (model_type siglip, Gemma's tokenizer.json and tokenizer_config.json)
// with formula weights for the given widths.
func writeSiglip2Snapshot(t *testing.T, dir string, tokJSON []byte, hidden, inter, heads, vocab int) {
	cfg := fmt.Sprintf(`{"model_type": "siglip", "architectures": ["SiglipModel"],
 "text_config": {"model_type": "siglip_text_model", "vocab_size": %d, "hidden_size": %d, "intermediate_size": %d,
  "num_hidden_layers": 2, "num_attention_heads": %d, "max_position_embeddings": 64, "projection_size": %d},
 "vision_config": {"model_type": "siglip_vision_model", "hidden_size": %d, "intermediate_size": %d,
  "num_hidden_layers": 2, "num_attention_heads": %d, "image_size": 224, "patch_size": 16}}`,
		vocab, hidden, inter, heads, hidden, hidden, inter, heads)
	specs, err := weights.Specs([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	writeFormulaSafetensors(t, filepath.Join(dir, "model.safetensors"), specs)
	for name, b := range map[string][]byte{"config.json": []byte(cfg),
		"tokenizer.json": tokJSON, "tokenizer_config.json": []byte(siglip2TokenizerConfig)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConvertSiglip2Tokenizer converts a SigLIP 2 snapshot with the
// 262,144-piece Gemma tokenizer and checks that the file's tokenizer and
// stored text pipeline give the reference's ids on every golden string, and
// that `embed --text` embeds exactly those ids. Small widths by default;
// SIGLIP_LARGE=1 uses SigLIP 2 base's (768 wide, 2 layers a tower).
func TestConvertSiglip2Tokenizer(t *testing.T) {
	tokJSON, strs, want := gemmaGoldens(t)
	hidden, inter, heads := 32, 64, 2
	if os.Getenv("SIGLIP_LARGE") != "" {
		hidden, inter, heads = 768, 3072, 12
	}
	dir, out := t.TempDir(), filepath.Join(t.TempDir(), "siglip2.siglip")
	writeSiglip2Snapshot(t, dir, tokJSON, hidden, inter, heads, 262144)
	if err := runConvert([]string{"--in", dir, "--out", out, "--quant", "q8", "--quiet"}); err != nil {
		t.Fatal(err)
	}
	tok, seq, err := modelTokenizer(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Text(); !got.Lowercase || got.Pad != "<pad>" || got.EOS != "<eos>" || got.BOS != "" || seq != 64 {
		t.Fatalf("stored text pipeline %+v, row length %d", got, seq)
	}
	flat, err := tok.EncodeBatch(strs, seq)
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for i, s := range strs {
		if slices.Equal(flat[i*64:(i+1)*64], want[i]) {
			ok++
		} else {
			t.Errorf("%q:\n got %v\nwant %v", s, flat[i*64:(i+1)*64], want[i])
		}
	}
	t.Logf("siglip tokenize --model: %d/%d golden strings give the reference's ids", ok, len(strs))

	// embed --text must embed the same rows as embed --input-ids with the
	// reference's ids. (<image_soft_token>, id 262144, is outside this
	// vocabulary; no golden string has it.)

	idsPath := filepath.Join(t.TempDir(), "ids.npy")
	writeNPYI64(t, idsPath, []int{len(want), 64}, want)
	embedWith := func(args ...string) []byte {
		var buf bytes.Buffer
		embedOut = &buf
		defer func() { embedOut = os.Stdout }()
		if err := runEmbed(append([]string{"--model", out}, args...)); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	var textArgs []string
	for _, s := range strs {
		textArgs = append(textArgs, "--text", s)
	}
	a, b := embedWith(textArgs...), embedWith("--input-ids", idsPath)
	if !bytes.Equal(a, b) || len(a) < 100 {
		t.Fatalf("embed --text differs from embed --input-ids with the reference ids (%d vs %d bytes)", len(a), len(b))
	}
}

// writeFormulaSafetensors streams the formula weights of specs to a
// safetensors file one tensor at a time, so a 262k × 768 embedding (805 MB)
// is held once, not three times.
func writeFormulaSafetensors(t *testing.T, path string, specs []modelfile.Spec) {
	var hdr strings.Builder
	hdr.WriteByte('{')
	off := 0
	for i, s := range specs {
		n := 4
		for _, d := range s.HFShape {
			n *= d
		}
		shape, _ := json.Marshal(s.HFShape)
		if i > 0 {
			hdr.WriteByte(',')
		}
		fmt.Fprintf(&hdr, "%q:{\"dtype\":\"F32\",\"shape\":%s,\"data_offsets\":[%d,%d]}", s.Name, shape, off, off+n)
		off += n
	}
	hdr.WriteByte('}')
	h := hdr.String()
	for (8+len(h))%8 != 0 {
		h += " "
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	binary.Write(f, binary.LittleEndian, uint64(len(h)))
	f.WriteString(h)
	for _, s := range specs {
		v := model.FormulaTensor(s.Name, s.HFShape...)
		b := make([]byte, 0, 1<<20)
		for i := 0; i < len(v); i++ {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v[i]))
			if len(b) == cap(b) || i == len(v)-1 {
				if _, err := f.Write(b); err != nil {
					t.Fatal(err)
				}
				b = b[:0]
			}
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeNPYI64(t *testing.T, path string, shape []int, rows [][]int32) {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	header := fmt.Sprintf("{'descr': '<i8', 'fortran_order': False, 'shape': (%s), }", strings.Join(dims, ", "))
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	for _, r := range rows {
		for _, v := range r {
			binary.Write(&b, binary.LittleEndian, int64(v))
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWriteSiglip2Fixture converts a small-width SigLIP 2 snapshot (the
// Gemma tokenizer, vocab 262,144, 2 layers a tower) to the path in
// SIGLIP_SIGLIP2_OUT, for build/tests/tokenize_chromium.test.mjs; without
// the variable it does nothing.
func TestWriteSiglip2Fixture(t *testing.T) {
	out := os.Getenv("SIGLIP_SIGLIP2_OUT")
	if out == "" {
		t.Skip("SIGLIP_SIGLIP2_OUT is not set (the Chromium tokenizer test sets it)")
	}
	tokJSON, _, _ := gemmaGoldens(t)
	dir := t.TempDir()
	writeSiglip2Snapshot(t, dir, tokJSON, 32, 64, 2, 262144)
	if err := runConvert([]string{"--in", dir, "--out", out, "--quant", "q8", "--quiet"}); err != nil {
		t.Fatal(err)
	}
}
