package imageproc

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

// pngHeader returns a PNG signature and IHDR chunk claiming w×h 8-bit RGB, with
// a valid CRC and no image data.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	body := make([]byte, 17)
	copy(body, "IHDR")
	binary.BigEndian.PutUint32(body[4:], w)
	binary.BigEndian.PutUint32(body[8:], h)
	body[12], body[13] = 8, 2 // depth 8, truecolour
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(body)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	return b.Bytes()
}

func wantErr(t *testing.T, what string, err error, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Errorf("%s: error %q does not mention %q", what, err, substr)
	}
	t.Logf("%s: %v", what, err)
}

func TestBadInput(t *testing.T) {
	_, err := Decode(nil)
	wantErr(t, "empty", err, "empty")

	_, err = Decode([]byte("hello, this is a text file, not a picture\n"))
	wantErr(t, "text", err, "unrecognised image format")

	_, err = Decode(pngHeader(0, 0))
	wantErr(t, "0×0 PNG", err, "png")

	_, err = Decode(pngHeader(100000, 100000))
	wantErr(t, "bomb header", err, "limit")

	_, err = Decode(pngHeader(8000, 5000)) // 40 MP, each side allowed
	wantErr(t, "40 MP header", err, "megapixels")

	// A 4032×3024 header passes the limits and fails later for lack of data.
	_, err = Decode(pngHeader(4032, 3024))
	wantErr(t, "photo-sized header without data", err, "truncated")

	data, err := os.ReadFile(refdata.Path("images/coco_39769.png"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(data[:len(data)/2])
	wantErr(t, "truncated PNG", err, "truncated")
	bad := bytes.Clone(data)
	for i := 200; i < 400; i++ {
		bad[i] ^= 0x5a
	}
	_, err = Decode(bad)
	wantErr(t, "corrupt PNG", err, "corrupt")

	jpg, err := os.ReadFile(refdata.Path("images/coco_39769_q90.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(jpg[:len(jpg)/3])
	wantErr(t, "truncated JPEG", err, "jpeg")

	_, err = FromRGBA(make([]byte, 10), 2, 2)
	wantErr(t, "RGBA length", err, "want 2×2×4 = 16")
	_, err = FromRGBA(nil, 0, 0)
	wantErr(t, "RGBA 0×0", err, "empty")
	_, err = FromRGBA(nil, -3, 4)
	wantErr(t, "RGBA negative", err, "empty")
	_, err = FromRGBA(nil, 8000, 5000)
	wantErr(t, "RGBA 40 MP", err, "megapixels")

	_, err = DecodePreprocess(data, 0)
	wantErr(t, "size 0", err, "size")
	if err := PixelValuesInto(make([]float32, 5), NewRGB(2, 2)); err == nil {
		t.Error("short pixel buffer accepted")
	}
}
