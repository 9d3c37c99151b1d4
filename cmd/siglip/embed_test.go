package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/sbinet/npyio"
	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

func TestEmbedTiny(t *testing.T) {
	g, err := refdata.LoadNPZ("tiny/golden.npz")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, v any) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := npyio.Write(f, v); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// 1-D arrays: the CLI accepts [seq] and [C,H,W] as a batch of one.
	ids := g["input_ids"].I64[:64]
	px := g["pixel_values"].F32()[:3*256*256]
	var out bytes.Buffer
	embedOut = &out
	defer func() { embedOut = os.Stdout }()
	err = runEmbed([]string{"--model", refdata.Path("tiny"), "--input-ids", write("ids.npy", ids),
		"--pixel-values", write("px.npy", px)})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("shape (196608,)")) {
		t.Fatalf("flat pixel array: error %v", err)
	}
	px4 := filepath.Join(dir, "px4.npy")
	writeNPYF32(t, px4, []int{1, 3, 256, 256}, px)
	err = runEmbed([]string{"--model", refdata.Path("tiny"), "--input-ids", write("ids.npy", ids), "--pixel-values", px4})
	if err != nil {
		t.Fatal(err)
	}
	var res map[string][][]float64
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	want := g["fp64/text_embeds"].F64[:64]
	for i, v := range res["text_embeds"][0] {
		if math.Abs(v-want[i]) > 1e-5 {
			t.Fatalf("text_embeds[0][%d] = %v, golden %v", i, v, want[i])
		}
	}
	if l, w := res["logits_per_image"][0][0], g["fp64/logits_per_image"].F64[0]; math.Abs(l-w) > 1e-4 {
		t.Fatalf("logits_per_image[0][0] = %v, golden %v", l, w)
	}
	if p := res["probs_per_image"][0][0]; math.Abs(p-1/(1+math.Exp(-res["logits_per_image"][0][0]))) > 1e-7 {
		t.Fatalf("probs_per_image[0][0] = %v is not sigmoid(logit)", p)
	}
	out.Reset()
	if err := runEmbed([]string{"--config", refdata.Path("tiny/config.json"), "--formula-weights", "--input-ids", write("ids.npy", ids)}); err != nil {
		t.Fatal(err)
	}
	if err := runEmbed([]string{"--model", refdata.Path("tiny"), "--text", "a cat"}); err == nil {
		t.Fatal("--text without a tokenizer must be an error")
	}
}

// TestEmbedTextImageEndToEnd goes from raw text and image files through the
// tokenizer, the PIL-exact preprocessing and the model to transformers'
// logits (tiny/golden.npz was made from these very strings and images).
func TestEmbedTextImageEndToEnd(t *testing.T) {
	g, err := refdata.LoadNPZ("tiny/golden.npz")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	embedOut = &out
	defer func() { embedOut = os.Stdout }()
	args := []string{"--model", refdata.Path("tiny"), "--tokenizer", refdata.Path("tokenizer/xlnet-base-cased-spiece.model"),
		"--image", refdata.Path("images/coco_39769.png"), "--image", refdata.Path("images/synthetic_wide_gradient.png")}
	for _, s := range []string{"a photo of 2 cats", "a photo of 2 dogs", "a plane", "a remote"} {
		args = append(args, "--text", s)
	}
	if err := runEmbed(args); err != nil {
		t.Fatal(err)
	}
	var res map[string][][]float64
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	want := g["fp64/logits_per_image"]
	for i := 0; i < 2; i++ {
		for j := 0; j < 4; j++ {
			if d := math.Abs(res["logits_per_image"][i][j] - want.F64[i*4+j]); d > 1e-4 {
				t.Fatalf("logits_per_image[%d][%d] = %v, golden %v", i, j, res["logits_per_image"][i][j], want.F64[i*4+j])
			}
		}
	}
	if err := runEmbed([]string{"--model", refdata.Path("tiny"), "--image", refdata.Path("images/meta.json")}); err == nil {
		t.Fatal("a JSON file as --image must be an error")
	}
}

func writeNPYF32(t *testing.T, path string, shape []int, v []float32) {
	hdr := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d, %d), }", shape[0], shape[1], shape[2], shape[3])
	for (10+len(hdr)+1)%64 != 0 {
		hdr += " "
	}
	hdr += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	_ = binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	b.WriteString(hdr)
	_ = binary.Write(&b, binary.LittleEndian, v)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEmbedModelFile runs the committed demo model file (config and
// tokenizer inside) on two samples: each must score its own caption highest.
func TestEmbedModelFile(t *testing.T) {
	var out bytes.Buffer
	embedOut = &out
	defer func() { embedOut = os.Stdout }()
	texts := []string{"a photo of a red square", "a photo of a black cross", "a photo of a blue triangle"}
	args := []string{"--model", filepath.Join("..", "..", "web", "models", "demo-q8.siglip"),
		"--image", refdata.Path("demo/samples/sample_05_large_red_square_on_gray.png"),
		"--image", refdata.Path("demo/samples/sample_04_large_black_cross_on_white.png")}
	for _, s := range texts {
		args = append(args, "--text", s)
	}
	if err := runEmbed(args); err != nil {
		t.Fatal(err)
	}
	var res map[string][][]float64
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	for i, row := range res["probs_per_image"] {
		best := 0
		for j := range row {
			if row[j] > row[best] {
				best = j
			}
		}
		if best != i {
			t.Errorf("image %d: best caption %q (probs %v)", i, texts[best], row)
		}
	}
}
