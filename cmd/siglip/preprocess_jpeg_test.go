package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

// TestPreprocessJPEGSet: `siglip preprocess` on every JPEG of testdata/jpeg
// (4:2:0, 4:2:2, 4:4:4, 4:4:0, progressive, grey, restarts, odd sizes) writes
// exactly PIL's resized bytes at 224 and 256 (manifest.json's digests of
// PIL 9.4's convert("RGB").resize(BICUBIC); imageproc's jpegset_test checks
// the decoded RGB against PIL's too).
func TestPreprocessJPEGSet(t *testing.T) {
	raw, err := os.ReadFile(refdata.Path("jpeg/manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Images []struct {
			Name          string
			ResizedSHA256 map[string]string `json:"resized_sha256"`
		}
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Images) < 10 {
		t.Fatalf("manifest lists %d images", len(m.Images))
	}
	dir := t.TempDir()
	exact := 0
	for _, c := range m.Images {
		for _, n := range []int{224, 256} {
			out := filepath.Join(dir, c.Name+".npy")
			if err := runPreprocess([]string{"--size", strconv.Itoa(n), "--out", out, refdata.Path("jpeg/" + c.Name + ".jpg")}); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			body := b[len(b)-3*n*n:]
			sum := sha256.Sum256(body)
			if hex.EncodeToString(sum[:]) != c.ResizedSHA256[strconv.Itoa(n)] {
				t.Errorf("%s at %d: preprocess output differs from PIL's", c.Name, n)
				continue
			}
			exact++
		}
	}
	t.Logf("bit-exact (image, size) cases: %d of %d", exact, 2*len(m.Images))
}
