package modelfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
)

// hashPlaceholder stands for the file_sha256 value while the file is
// hashed: the hash covers every byte of the file, header included, with
// its own 64 hex digits read as ASCII zeros.
var hashPlaceholder = bytes.Repeat([]byte{'0'}, 64)

// fileHash is the file_sha256 of a format-version-2 file b whose header
// (bytes [8, 8+headerLen)) holds value as the file_sha256 string. The value
// must appear exactly once in the header, as a plain JSON string, so there
// is one way to read the file's hash and every other header byte is covered.
func fileHash(b []byte, headerLen int, value string) (string, error) {
	hdr := b[8 : 8+headerLen]
	i := bytes.Index(hdr, []byte(value))
	if len(value) != 64 || i < 1 || i+65 > len(hdr) || hdr[i-1] != '"' || hdr[i+64] != '"' ||
		bytes.Contains(hdr[i+64:], []byte(value)) {
		return "", fmt.Errorf("metadata %s must appear once in the header, as a plain 64-digit string", MetaFileSHA256)
	}
	h := sha256.New()
	h.Write(b[:8+i])
	h.Write(hashPlaceholder)
	h.Write(b[8+i+64:])
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Rehash returns a copy of the model file b with its file_sha256 made
// right for its current bytes, for tests and fuzzing that edit a header
// and want the edit to reach the checks behind the hash.
func Rehash(b []byte) ([]byte, error) {
	if len(b) < 8 {
		return nil, errors.New("modelfile: too short to rehash")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8) {
		return nil, errors.New("modelfile: header length past the end")
	}
	hdr := b[8 : 8+n]
	key := []byte(`"` + MetaFileSHA256 + `":"`)
	i := bytes.Index(hdr, key)
	if i < 0 || i+len(key)+64 > len(hdr) {
		return nil, fmt.Errorf("modelfile: no plain %q in the header", MetaFileSHA256)
	}
	at := 8 + i + len(key)
	out := append([]byte(nil), b...)
	copy(out[at:], hashPlaceholder)
	sum := sha256.Sum256(out)
	hex.Encode(out[at:at+64], sum[:])
	return out, nil
}

// finite32 refuses NaN and ±Inf in a float tensor, by name: a NaN
// logit_scale would turn every score into "NaN%".
func finite32(name string, v []float32) error {
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("modelfile: tensor %q holds %v at element %d; a model's floats must be finite", name, x, i)
		}
	}
	return nil
}

// finiteF16 is finite32 for little-endian IEEE halves (exponent all ones
// is Inf or NaN).
func finiteF16(name string, b []byte) error {
	for i := 0; i+1 < len(b); i += 2 {
		if binary.LittleEndian.Uint16(b[i:])&0x7c00 == 0x7c00 {
			what := "Inf"
			if binary.LittleEndian.Uint16(b[i:])&0x03ff != 0 {
				what = "NaN"
			}
			return fmt.Errorf("modelfile: tensor %q holds %s at element %d; a model's floats must be finite", name, what, i/2)
		}
	}
	return nil
}
