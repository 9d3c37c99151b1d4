package imageproc

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
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
