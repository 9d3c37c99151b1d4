package npy

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

func file(descr string, shape []int, data []byte) []byte {
	return append(AppendHeader(nil, descr, shape...), data...)
}

func read(t *testing.T, b []byte, max int64) (*Reader, error) {
	t.Helper()
	return NewReader(bytes.NewReader(b), int64(len(b)), max)
}

func TestRoundTrip(t *testing.T) {
	var data []byte
	for _, v := range []float32{1, -2.5, 3, 4, 5, 6} {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
	}
	r, err := read(t, file("<f4", []int{2, 3}, data), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Shape) != 2 || r.Shape[0] != 2 || r.Shape[1] != 3 || r.Elements() != 6 {
		t.Fatalf("shape %v", r.Shape)
	}
	a, b := make([]float32, 4), make([]float32, 2)
	if err := r.ReadFloat32s(a); err != nil {
		t.Fatal(err)
	}
	if err := r.ReadFloat32s(b); err != nil {
		t.Fatal(err)
	}
	if a[1] != -2.5 || b[1] != 6 || r.Left() != 0 {
		t.Fatalf("values %v %v left %d", a, b, r.Left())
	}
	if err := r.ReadFloat32s(b); err == nil {
		t.Fatal("read past the end")
	}
	// one-dimensional shapes are written (n,), as NumPy does
	if h := string(AppendHeader(nil, "<i8", 5)); !strings.Contains(h, "'shape': (5,)") || len(h)%64 != 0 {
		t.Fatalf("header %q", h)
	}
	ids := binary.LittleEndian.AppendUint64(nil, 1<<40)
	ids = binary.BigEndian.AppendUint32(ids, 7)
	r, err = read(t, file("<i8", []int{1}, ids[:8]), 10)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]int64, 1)
	if err := r.ReadInt64s(v); err != nil || v[0] != 1<<40 {
		t.Fatalf("int64 %v %v", v, err)
	}
	r, err = read(t, file(">i4", []int{1}, ids[8:]), 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.ReadInt64s(v); err != nil || v[0] != 7 {
		t.Fatalf("big-endian int32 %v %v", v, err)
	}
}

// TestHostileHeaders: issue 14 row 3. Each lies about its array; each
// must be a clear error before any allocation of the declared size.
func TestHostileHeaders(t *testing.T) {
	raw := func(dict string) []byte {
		b := []byte("\x93NUMPY\x01\x00")
		b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)))
		return append(b, dict...)
	}
	f4 := func(shape string) []byte {
		return raw("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }\n")
	}
	ids := make([]byte, 64*8)
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"2^31 squared", f4("(2147483648, 2147483648)"), "not a dimension"},
		{"2^31-1 squared", f4("(2147483647, 2147483647)"), "more than the"},
		{"49 KB declaring 100000 images", append(f4("(100000, 3, 128, 128)"), make([]byte, 49<<10)...), "more than the"},
		{"1000x64 ids holding 64", file("<i8", []int{1000, 64}, ids), "needs 512000 data bytes, the file holds 512"},
		{"trailing bytes", file("<i8", []int{32}, ids), "needs 256 data bytes, the file holds 512"},
		{"truncated magic", []byte("\x93NUM"), "too short"},
		{"truncated header", raw("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }")[:30], "truncated"},
		{"no magic", []byte("PK\x03\x04 this is a zip file, not npy"), "magic"},
		{"version 9", []byte("\x93NUMPY\x09\x00\x00\x00"), "version 9.0"},
		{"huge header length", []byte("\x93NUMPY\x02\x00\xff\xff\xff\xff"), "header says it is 4294967295 bytes"},
		{"not a dict", raw("['descr']"), "not a Python dict"},
		{"unterminated", raw("{'descr': '<f4"), "unterminated"},
		{"duplicate key", raw("{'descr': '<f4', 'descr': '<i8', 'fortran_order': False, 'shape': (1,), }"), "twice"},
		{"unknown dtype", raw("{'descr': '<U8', 'fortran_order': False, 'shape': (1,), }"), "not supported"},
		{"object dtype", raw("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"), "not supported"},
		{"fortran", raw("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }"), "Fortran"},
		{"negative dim", f4("(-1, 3)"), "not a dimension"},
		{"no shape", raw("{'descr': '<f4', 'fortran_order': False}"), `no "shape"`},
		{"trailing junk", raw("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x"), "trailing"},
	}
	for _, c := range cases {
		_, err := read(t, c.b, 1<<24)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func FuzzReader(f *testing.F) {
	f.Add(file("<f4", []int{2, 3}, make([]byte, 24)))
	f.Add(file("<i8", []int{1, 4}, make([]byte, 32)))
	f.Add(file("|u1", []int{3, 2, 2}, make([]byte, 12)))
	f.Add(file(">f8", nil, make([]byte, 8)))
	f.Add([]byte("\x93NUMPY\x02\x00\x10\x00\x00\x00{'descr': '<f2'}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b), int64(len(b)), 1<<20)
		if err != nil {
			return
		}
		if r.Elements()*int64(r.Size) > int64(len(b)) {
			t.Fatalf("accepted %v of %d-byte elements from a %d-byte file", r.Shape, r.Size, len(b))
		}
		for r.Left() > 0 {
			n := int(min(r.Left(), 7))
			if r.Kind == 'f' {
				if err := r.ReadFloat32s(make([]float32, n)); err != nil {
					t.Fatalf("data the header promised does not read: %v", err)
				}
			} else if err := r.ReadInt64s(make([]int64, n)); err != nil {
				t.Fatalf("data the header promised does not read: %v", err)
			}
		}
	})
}
