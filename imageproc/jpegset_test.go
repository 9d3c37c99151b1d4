package imageproc

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image/png"
	"os"
	"strconv"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

// jpegCase is one entry of testdata/jpeg/manifest.json (written by gen_jpeg.py).
type jpegCase struct {
	Name          string
	Width, Height int
	Mode          string
	Sampling      [][2]int
	Progressive   bool
	Files         map[string]string
	ResizedSHA256 map[string]string `json:"resized_sha256"`
}

// jpegSet loads the held-out JPEG set and checks that every file is the one
// the generator wrote (so a test never compares against a stale reference).
func jpegSet(t testing.TB) []jpegCase {
	t.Helper()
	raw, err := os.ReadFile(refdata.Path("jpeg/manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Images []jpegCase }
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Images) == 0 {
		t.Fatal("jpeg/manifest.json lists no images")
	}
	for _, c := range m.Images {
		for f, want := range c.Files {
			b, err := os.ReadFile(refdata.Path("jpeg/" + f))
			if err != nil {
				t.Fatal(err)
			}
			if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != want {
				t.Fatalf("%s: SHA-256 differs from manifest.json (regenerate with gen_jpeg.py)", f)
			}
		}
	}
	return m.Images
}

func (c jpegCase) jpeg(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(refdata.Path("jpeg/" + c.Name + ".jpg"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pilRGB is PIL's decode of the case, from NAME.rgb.png.
func (c jpegCase) pilRGB(t testing.TB) *RGB {
	t.Helper()
	b, err := os.ReadFile(refdata.Path("jpeg/" + c.Name + ".rgb.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return ToRGB(img)
}

// chwSHA256 is the digest of an RGB image as channel-first bytes, the layout
// of the manifest's resized_sha256 (and of `siglip preprocess`'s .npy body).
func chwSHA256(r *RGB) string {
	n := r.W * r.H
	b := make([]byte, 3*n)
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			b[c*n+i] = r.Pix[3*i+c]
		}
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestJPEGSetReferences: the set's references agree with each other: the PNG
// has the JPEG's size, and Go's PIL-exact resize of PIL's decoded RGB gives
// the digests PIL's own resize gave (so the digests are usable references).
func TestJPEGSetReferences(t *testing.T) {
	for _, c := range jpegSet(t) {
		ref := c.pilRGB(t)
		if ref.W != c.Width || ref.H != c.Height {
			t.Fatalf("%s: rgb.png is %dx%d, manifest %dx%d", c.Name, ref.W, ref.H, c.Width, c.Height)
		}
		img, err := Decode(c.jpeg(t))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if b := img.Bounds(); b.Dx() != c.Width || b.Dy() != c.Height {
			t.Fatalf("%s: decoded %v, manifest %dx%d", c.Name, b, c.Width, c.Height)
		}
		for _, n := range []int{224, 256} {
			r, err := ResizeBicubic(ref, n, n)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := chwSHA256(r), c.ResizedSHA256[strconv.Itoa(n)]; got != want {
				t.Errorf("%s at %d: resize of PIL's RGB has digest %s, PIL's resize %s", c.Name, n, got[:12], want)
			}
		}
	}
}

// TestJPEGSetPILExact: every JPEG of the held-out set decodes to PIL's RGB
// exactly, and preprocessing at 224 and 256 gives PIL's resized bytes.
func TestJPEGSetPILExact(t *testing.T) {
	for _, c := range jpegSet(t) {
		img, err := Decode(c.jpeg(t))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		got, ref := ToRGB(img), c.pilRGB(t)
		if got.W != ref.W || got.H != ref.H {
			t.Fatalf("%s: decoded %d×%d, PIL %d×%d", c.Name, got.W, got.H, ref.W, ref.H)
		}
		if maxd, meand := diffStats(chw(got), chw(ref)); maxd != 0 {
			t.Errorf("%s: decode differs from PIL by up to %g levels (mean %.4f)", c.Name, maxd, meand)
		}
		for _, n := range []int{224, 256} {
			p := Preprocessor{Size: n}
			r, err := p.Resize(got)
			if err != nil {
				t.Fatal(err)
			}
			if chwSHA256(r) != c.ResizedSHA256[strconv.Itoa(n)] {
				t.Errorf("%s at %d: resized bytes differ from PIL's", c.Name, n)
			}
		}
	}
}

// TestJPEGTruncatedProgressive: a progressive JPEG cut anywhere before its
// end is an error, as in PIL ("image file is truncated"), never a partial
// image (issue 14, row 7).
func TestJPEGTruncatedProgressive(t *testing.T) {
	n := 0
	for _, c := range jpegSet(t) {
		if !c.Progressive || c.Width*c.Height < 1000 {
			continue
		}
		data := c.jpeg(t)
		step := max(1, len(data)/150)
		for cut := len(data) - 1; cut > 2; cut -= step {
			if _, err := Decode(data[:cut]); err == nil {
				t.Fatalf("%s cut to %d of %d bytes: decoded without error", c.Name, cut, len(data))
			}
			n++
		}
	}
	if n < 500 {
		t.Fatalf("only %d truncations tried", n)
	}
}
