package imageproc

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

// TestPILBilinearExact: every lossless PNG, resized bilinear (SigLIP 2's
// resample 2) to 224, 256 and 384, equals PIL's array byte for byte, and
// its pixel values under four normalisations (SigLIP's, ImageNet's, no
// rescale, no normalise) equal transformers' arithmetic byte for byte
// (testdata/images/pil_bilinear.json: SHA-256 digests from gen_bilinear.py).
func TestPILBilinearExact(t *testing.T) {
	raw, err := os.ReadFile(refdata.Path("images/pil_bilinear.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Normalisations map[string]struct {
			DoRescale     bool      `json:"do_rescale"`
			RescaleFactor float64   `json:"rescale_factor"`
			DoNormalize   bool      `json:"do_normalize"`
			Mean          []float64 `json:"mean"`
			Std           []float64 `json:"std"`
		}
		Images map[string]map[string]struct {
			Resized string
			Pixels  map[string]string
		}
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, im := range testImages(t) {
		file := im[1]
		if !strings.HasSuffix(file, ".png") {
			continue
		}
		src := loadRGB(t, file)
		for _, n := range []int{224, 256, 384} {
			want, ok := ref.Images[file][itoa(n)]
			if !ok {
				t.Fatalf("pil_bilinear.json has no %s at %d", file, n)
			}
			for name, nm := range ref.Normalisations {
				p := Processing{Size: n, Resample: Bilinear, DoRescale: nm.DoRescale, RescaleFactor: nm.RescaleFactor, DoNormalize: nm.DoNormalize}
				copy(p.Mean[:], nm.Mean)
				copy(p.Std[:], nm.Std)
				pre := NewPreprocessor(p)
				resized, err := pre.Resize(src)
				if err != nil {
					t.Fatal(err)
				}
				chwU8 := make([]byte, 0, 3*n*n)
				for c := 0; c < 3; c++ {
					for i := 0; i < n*n; i++ {
						chwU8 = append(chwU8, resized.Pix[3*i+c])
					}
				}
				if got := digest(chwU8); got != want.Resized {
					t.Errorf("%s %d: bilinear resize differs from PIL's (sha256 %s, want %s)", file, n, got, want.Resized)
				}
				px := make([]float32, 3*n*n)
				if err := pre.Into(px, src); err != nil {
					t.Fatal(err)
				}
				b := make([]byte, 4*len(px))
				for i, v := range px {
					binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
				}
				if got := digest(b); got != want.Pixels[name] {
					t.Errorf("%s %d %s: pixel values differ from transformers' arithmetic", file, n, name)
				}
				checked++
			}
		}
	}
	t.Logf("%d (image, size, normalisation) cases bit-exact", checked)
	if checked < 30 {
		t.Errorf("only %d cases checked", checked)
	}
}

func digest(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestParsePreprocessorConfig(t *testing.T) {
	siglip2 := `{"do_convert_rgb":null,"do_normalize":true,"do_rescale":true,"do_resize":true,
	 "image_mean":[0.5,0.5,0.5],"image_processor_type":"SiglipImageProcessor","image_std":[0.5,0.5,0.5],
	 "processor_class":"SiglipProcessor","resample":2,"rescale_factor":0.00392156862745098,"size":{"height":384,"width":384}}`
	p, err := ParsePreprocessorConfig([]byte(siglip2), 384)
	if err != nil {
		t.Fatal(err)
	}
	if p.Resample != Bilinear || p.Size != 384 || p.Mean != [3]float64{0.5, 0.5, 0.5} || !p.DoRescale {
		t.Errorf("siglip2: %+v", p)
	}
	// Round trip through the stored form.
	q, err := ParsePreprocessorConfig(p.JSON(), 384)
	if err != nil || q != p {
		t.Errorf("JSON round trip: %+v, %v; want %+v", q, err, p)
	}
	// No file: the model's size and SigLIP's defaults.
	if d, err := ParsePreprocessorConfig(nil, 256); err != nil || d != DefaultProcessing(256) {
		t.Errorf("no file: %+v %v", d, err)
	}
	// Missing fields take transformers' defaults (size 224, bicubic).
	if d, err := ParsePreprocessorConfig([]byte(`{"image_mean":0.25}`), 224); err != nil || d.Resample != Bicubic || d.Mean[2] != 0.25 || d.Std[0] != 0.5 {
		t.Errorf("defaults: %+v %v", d, err)
	}
	for _, c := range []struct{ js, want string }{
		{`{"resample":1}`, "resample 1 is not supported"},
		{`{"resample":3,"size":{"height":256,"width":256}}`, "size 256 does not match the model's vision image_size 224"},
		{`{"size":{"height":224,"width":200}}`, "not square"},
		{`{"size":{"shortest_edge":224}}`, "size {\"shortest_edge\":224} is not supported"},
		{`{"image_mean":[0.5,0.5]}`, "image_mean [0.5,0.5]: want 3 numbers"},
		{`{"image_std":[0.5,0,0.5]}`, "std non-zero"},
		{`{"rescale_factor":-1}`, "rescale_factor -1 must be positive"},
		{`{"do_resize":false}`, "do_resize false"},
		{`{"do_center_crop":true}`, "do_center_crop true"},
		{`{"image_processor_type":"Siglip2ImageProcessor"}`, "Siglip2ImageProcessor"},
		{`{"max_num_patches":256}`, "NaFlex"},
		{`[1]`, "preprocessor_config.json:"},
	} {
		if _, err := ParsePreprocessorConfig([]byte(c.js), 224); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.js, err, c.want)
		}
	}
}
