package imageproc

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

// testImages lists the images of testdata/images/meta.json (name, file).
func testImages(t testing.TB) [][2]string {
	t.Helper()
	raw, err := os.ReadFile(refdata.Path("images/meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct{ Images []string }
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, f := range meta.Images {
		out = append(out, [2]string{f[:strings.LastIndexByte(f, '.')], f})
	}
	return out
}

func loadRGB(t testing.TB, file string) *RGB {
	t.Helper()
	data, err := os.ReadFile(refdata.Path("images/" + file))
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return ToRGB(img)
}

// chw returns an RGB image as channel-first values, the layout of the npz arrays.
func chw(r *RGB) []float64 {
	n := r.W * r.H
	out := make([]float64, 3*n)
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			out[c*n+i] = float64(r.Pix[3*i+c])
		}
	}
	return out
}

func diffStats(a, b []float64) (maxd, meand float64) {
	for i := range a {
		d := math.Abs(a[i] - b[i])
		maxd = max(maxd, d)
		meand += d
	}
	return maxd, meand / float64(len(a))
}

func wantShape(t *testing.T, key string, a refdata.Array, shape ...int) {
	t.Helper()
	if len(a.Shape) != len(shape) {
		t.Fatalf("%s: shape %v, want %v", key, a.Shape, shape)
	}
	for i := range shape {
		if a.Shape[i] != shape[i] {
			t.Fatalf("%s: shape %v, want %v", key, a.Shape, shape)
		}
	}
}

// TestPILResizeExact: every lossless PNG, resized to 224, 256 and 384, equals
// PIL's array bit for bit, and the 256 pixel values equal transformers'.
func TestPILResizeExact(t *testing.T) {
	type ref struct {
		file, prefix string
		size         int
	}
	refs := []ref{{"images/preproc_256.npz", "SiglipImageProcessorPil", 256}}
	if !testing.Short() {
		refs = append(refs, ref{"images/pil_resized_224.npz", "PIL", 224}, ref{"images/pil_resized_384.npz", "PIL", 384})
	}
	for _, rf := range refs {
		arrs, err := refdata.LoadNPZ(rf.file)
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, im := range testImages(t) {
			name, file := im[0], im[1]
			if !strings.HasSuffix(file, ".png") {
				continue
			}
			key := rf.prefix + "/" + name + "/resized_raw"
			want, ok := arrs[key]
			if !ok {
				t.Errorf("%s: no key %s", rf.file, key)
				continue
			}
			wantShape(t, key, want, 3, rf.size, rf.size)
			p := Preprocessor{Size: rf.size}
			got, err := p.Resize(loadRGB(t, file))
			if err != nil {
				t.Fatal(err)
			}
			maxd, meand := diffStats(chw(got), want.F64)
			t.Logf("%d %-28s resized vs %s: max %g mean %.5f", rf.size, name, rf.prefix, maxd, meand)
			if maxd != 0 {
				t.Errorf("%d %s: resized differs from PIL by up to %g (mean %g)", rf.size, name, maxd, meand)
			}
			checked++
			if pv, ok := arrs[rf.prefix+"/"+name+"/pixel_values"]; ok {
				wantShape(t, name+" pixel_values", pv, 3, rf.size, rf.size)
				dst := make([]float32, 3*rf.size*rf.size)
				if err := PixelValuesInto(dst, got); err != nil {
					t.Fatal(err)
				}
				bad := 0
				for i, v := range pv.F64 {
					if float32(v) != dst[i] {
						bad++
					}
				}
				t.Logf("%d %-28s pixel_values: %d of %d differ", rf.size, name, bad, len(dst))
				if bad != 0 {
					t.Errorf("%s: %d pixel values differ from transformers", name, bad)
				}
			}
			// The transformers 5 default (torchvision) is within 2 levels of PIL.
			if tv, ok := arrs["SiglipImageProcessor/"+name+"/resized_raw"]; ok {
				maxd, meand := diffStats(chw(got), tv.F64)
				t.Logf("%d %-28s resized vs SiglipImageProcessor (torchvision): max %g mean %.5f", rf.size, name, maxd, meand)
				if maxd > 2 {
					t.Errorf("%s: %g levels from the transformers 5 default, want ≤ 2", name, maxd)
				}
			}
		}
		if checked < 9 {
			t.Errorf("%s: only %d PNGs checked", rf.file, checked)
		}
	}
}

// loadNPYRGB reads a uint8 [H,W,3] C-ordered .npy directly (refdata's generic
// reader converts every byte to float64 and takes minutes under js/wasm).
func loadNPYRGB(rel string) (*RGB, error) {
	raw, err := os.ReadFile(refdata.Path(rel))
	if err != nil {
		return nil, err
	}
	if len(raw) < 10 || string(raw[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("%s: not a .npy file", rel)
	}
	var hl, off int
	switch raw[6] {
	case 1:
		hl, off = int(binary.LittleEndian.Uint16(raw[8:])), 10
	case 2, 3:
		hl, off = int(binary.LittleEndian.Uint32(raw[8:])), 12
	default:
		return nil, fmt.Errorf("%s: npy version %d", rel, raw[6])
	}
	if off+hl > len(raw) {
		return nil, fmt.Errorf("%s: truncated header", rel)
	}
	hdr := string(raw[off : off+hl])
	var hh, ww int
	i := strings.Index(hdr, "'shape': (")
	if !strings.Contains(hdr, "'descr': '|u1'") || !strings.Contains(hdr, "'fortran_order': False") || i < 0 {
		return nil, fmt.Errorf("%s: want C-ordered uint8, header %q", rel, hdr)
	}
	if _, err := fmt.Sscanf(hdr[i+len("'shape': ("):], "%d, %d, 3)", &hh, &ww); err != nil {
		return nil, fmt.Errorf("%s: shape in %q: %v", rel, hdr, err)
	}
	body := raw[off+hl:]
	if len(body) != hh*ww*3 {
		return nil, fmt.Errorf("%s: %d data bytes for %d×%d×3", rel, len(body), hh, ww)
	}
	return &RGB{W: ww, H: hh, Pix: body}, nil
}

// TestJPEGResizeFromPILDecode: coco_39769_q90.jpg, the reference data's JPEG,
// decodes to PIL's pixels exactly (ljpeg: libjpeg-turbo's IDCT, imageproc:
// its upsampling and colour tables), and the resize of either decode equals
// PIL's processor at 256 and PIL's resize at 224 and 384 (max 0).
func TestJPEGResizeFromPILDecode(t *testing.T) {
	pil, err := loadNPYRGB("images/pil_decoded_coco_39769_q90.npy")
	if err != nil {
		t.Fatal(err)
	}
	ours := loadRGB(t, "coco_39769_q90.jpg")
	if ours.W != pil.W || ours.H != pil.H {
		t.Fatalf("decoded %d×%d, PIL %d×%d", ours.W, ours.H, pil.W, pil.H)
	}
	a, b := make([]float64, len(pil.Pix)), make([]float64, len(pil.Pix))
	for i := range a {
		a[i], b[i] = float64(ours.Pix[i]), float64(pil.Pix[i])
	}
	dmax, dmean := diffStats(a, b)
	t.Logf("decode vs PIL: max %g mean %.4f levels", dmax, dmean)
	if dmax != 0 {
		t.Errorf("JPEG decode differs from PIL's by up to %g levels (mean %g)", dmax, dmean)
	}
	refs := []struct {
		file, key string
		size      int
	}{{"images/preproc_256.npz", "SiglipImageProcessorPil/coco_39769_q90/resized_raw", 256}}
	if !testing.Short() {
		refs = append(refs, struct {
			file, key string
			size      int
		}{"images/pil_resized_224.npz", "PIL/coco_39769_q90/resized_raw", 224})
	}
	for _, rf := range refs {
		arrs, err := refdata.LoadNPZ(rf.file)
		if err != nil {
			t.Fatal(err)
		}
		want := arrs[rf.key]
		wantShape(t, rf.key, want, 3, rf.size, rf.size)
		p := Preprocessor{Size: rf.size}
		for _, src := range []struct {
			name string
			img  *RGB
		}{{"PIL's decode", pil}, {"our decode", ours}} {
			got, err := p.Resize(src.img)
			if err != nil {
				t.Fatal(err)
			}
			maxd, meand := diffStats(chw(got), want.F64)
			t.Logf("%d: resize of %s vs PIL: max %g mean %g", rf.size, src.name, maxd, meand)
			if maxd != 0 {
				t.Errorf("%d: resize of %s differs from PIL by up to %g", rf.size, src.name, maxd)
			}
		}
	}
}

// TestFromRGBAMatchesFile: a canvas-style RGBA buffer (straight alpha) of the
// alpha-ramp PNG gives transformers' pixel values exactly, like the file does.
func TestFromRGBAMatchesFile(t *testing.T) {
	data, err := os.ReadFile(refdata.Path("images/synthetic_rgba_alpha.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := img.(*image.NRGBA)
	if !ok {
		t.Fatalf("decoded %T, want *image.NRGBA", img)
	}
	w, h := n.Rect.Dx(), n.Rect.Dy()
	rgb, err := FromRGBA(n.Pix, w, h)
	if err != nil {
		t.Fatal(err)
	}
	arrs, err := refdata.LoadNPZ("images/preproc_256.npz")
	if err != nil {
		t.Fatal(err)
	}
	want := arrs["SiglipImageProcessorPil/synthetic_rgba_alpha/pixel_values"]
	wantShape(t, "synthetic_rgba_alpha pixel_values", want, 3, 256, 256)
	p := Preprocessor{Size: 256}
	got := make([]float32, 3*256*256)
	if err := p.Into(got, rgb); err != nil {
		t.Fatal(err)
	}
	for i, v := range want.F64 {
		if got[i] != float32(v) {
			t.Fatalf("pixel value %d = %g, want %g", i, got[i], v)
		}
	}
}
