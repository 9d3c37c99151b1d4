package imageproc

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bombPNG is a greyscale PNG declaring w×h with an all-zero IDAT: a few
// hundred KB that would decode to w×h bytes.
func bombPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		td := append([]byte(typ), data...)
		b.Write(td)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(td))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 8 // depth; colour type 0 (grey)
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	row := make([]byte, w+1)
	for y := 0; y < h; y++ {
		zw.Write(row)
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

func TestDecodeHeaderRefusesOversizedBeforeDecoding(t *testing.T) {
	bomb := bombPNG(t, 16000, 16000)
	_, err := DecodeHeader(bomb)
	if err == nil || !strings.Contains(err.Error(), "16000×16000") || !strings.Contains(err.Error(), "megapixels") {
		t.Fatalf("DecodeHeader(16000×16000 PNG, %d bytes) = %v, want a megapixel refusal", len(bomb), err)
	}
	if _, err2 := Decode(bomb); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("Decode refuses with %v, DecodeHeader with %v: want the same", err2, err)
	}
	h, err := DecodeHeader(bombPNG(t, 40, 30))
	if err != nil || h != (Header{Format: "png", Width: 40, Height: 30}) {
		t.Errorf("DecodeHeader(40×30 PNG) = %+v, %v", h, err)
	}
	for _, bad := range [][]byte{nil, []byte("not an image"), bomb[:20]} {
		if _, err := DecodeHeader(bad); err == nil {
			t.Errorf("DecodeHeader(%q…) accepted", bad[:min(len(bad), 8)])
		}
	}
}

// TestDecodeHeaderTruncatedJPEG: a JPEG cut anywhere after its header is
// refused by the header check itself, before any decoder (the browser's
// included) can return a partial image; every complete JPEG of the test set
// passes it.
func TestDecodeHeaderTruncatedJPEG(t *testing.T) {
	paths, err := filepath.Glob("../testdata/jpeg/*.jpg")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test JPEGs: %v", err)
	}
	paths = append(paths, "../testdata/images/coco_39769_q90.jpg")
	cuts := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeHeader(data); err != nil {
			t.Fatalf("%s: complete file refused: %v", p, err)
		}
		sos := bytes.Index(data, []byte{0xFF, 0xDA})
		if sos < 0 {
			t.Fatalf("%s: no scan", p)
		}
		for _, n := range []int{sos + 1, sos + 40, (sos + len(data)) / 2, len(data) - 2, len(data) - 1} {
			if n <= sos || n >= len(data) {
				continue
			}
			_, err := DecodeHeader(data[:n])
			if err == nil || !strings.Contains(err.Error(), "truncated") {
				t.Fatalf("%s cut to %d of %d bytes: err = %v, want a truncation error", p, n, len(data), err)
			}
			cuts++
		}
	}
	if cuts < len(paths)*3 {
		t.Fatalf("only %d cuts tried", cuts)
	}
}
