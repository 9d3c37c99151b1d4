package ljpeg

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// FuzzDecode: no input panics or hangs the decoder; when it decodes, the
// image has the size DecodeConfig reported and planes large enough for it.
// The seeds are the small files of testdata/jpeg (every sampling layout,
// progressive, greyscale, restart markers). Run with
// `go test -fuzz FuzzDecode -fuzzminimizetime 2s ./imageproc/ljpeg/`.
func FuzzDecode(f *testing.F) {
	_, file, _, _ := runtime.Caller(0)
	seeds, _ := filepath.Glob(filepath.Join(filepath.Dir(file), "..", "..", "testdata", "jpeg", "*.jpg"))
	if len(seeds) == 0 {
		f.Fatal("no seed JPEGs in testdata/jpeg")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) < 8000 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return
		}
		// A few bytes can declare 65535×65535; imageproc refuses those from
		// the header (limits.go) before calling Decode, so skip them here.
		if cfg.Width*cfg.Height > 1<<20 {
			return
		}
		img, err := Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		b := img.Bounds()
		if b.Dx() != cfg.Width || b.Dy() != cfg.Height {
			t.Fatalf("decoded %v, DecodeConfig said %d×%d", b, cfg.Width, cfg.Height)
		}
		switch m := img.(type) {
		case *image.Gray:
			_ = m.Pix[m.PixOffset(b.Max.X-1, b.Max.Y-1)]
		case *image.YCbCr:
			_ = m.Y[m.YOffset(b.Max.X-1, b.Max.Y-1)]
			_ = m.Cr[m.COffset(b.Max.X-1, b.Max.Y-1)]
		}
	})
}
