package safetensors

import (
	"bytes"
	"encoding/binary"
	"os"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := []Tensor{
		{Name: "b", DType: F32, Shape: []int{2, 2}, Data: F32Bytes([]float32{1, 2, 3, -4})},
		{Name: "a", DType: F16, Shape: []int{3}, Data: F16Bytes([]float32{0.5, -1, 65504})},
		{Name: "s", DType: I8, Shape: []int{}, Data: []byte{0xff}},
	}
	var buf bytes.Buffer
	if err := Write(&buf, in, map[string]string{"format": "pt", "z": "1"}); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	_ = Write(&again, in, map[string]string{"z": "1", "format": "pt"})
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatal("Write is not deterministic")
	}
	if hl := binary.LittleEndian.Uint64(buf.Bytes()); hl%8 != 0 {
		t.Fatalf("header length %d not 8-aligned", hl)
	}
	f, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["format"] != "pt" || f.Len() != 3 {
		t.Fatalf("metadata %v len %d", f.Metadata, f.Len())
	}
	b, _ := f.Tensor("b")
	v, err := b.Float32s()
	if err != nil || v[3] != -4 {
		t.Fatalf("b = %v, %v", v, err)
	}
	a, _ := f.Tensor("a")
	v, _ = a.Float32s()
	if v[0] != 0.5 || v[1] != -1 || v[2] != 65504 {
		t.Fatalf("a = %v", v)
	}
	s, _ := f.Tensor("s")
	i8, _ := s.Int8s()
	if i8[0] != -1 || s.NumElements() != 1 {
		t.Fatalf("s = %v", i8)
	}
	if _, err := s.Float32s(); err == nil {
		t.Fatal("Float32s on I8 must fail")
	}
}

func TestParseErrors(t *testing.T) {
	good := func() []byte {
		var buf bytes.Buffer
		_ = Write(&buf, []Tensor{{Name: "w", DType: F32, Shape: []int{4}, Data: make([]byte, 16)}}, nil)
		return buf.Bytes()
	}
	mk := func(hdr string, data int) []byte {
		b := make([]byte, 8, 8+len(hdr)+data)
		binary.LittleEndian.PutUint64(b, uint64(len(hdr)))
		b = append(b, hdr...)
		return append(b, make([]byte, data)...)
	}
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"short":      {[]byte{1, 2}, "too short"},
		"truncated":  {good()[:30], "truncated"},
		"hugeheader": {append(binary.LittleEndian.AppendUint64(nil, 1<<40), '{'), "exceeds"},
		"notjson":    {mk("nope", 0), "not a JSON"},
		"dtype":      {mk(`{"w":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}`, 1), "unknown dtype"},
		"size":       {mk(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4), "needs 8 bytes"},
		"range":      {mk(`{"w":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}`, 4), "outside"},
		"negshape":   {mk(`{"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}`, 0), "bad shape"},
		"overlap":    {mk(`{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}`, 8), "overlap"},
		"metadata":   {mk(`{"__metadata__":{"a":1}}`, 0), "__metadata__"},
	}
	for name, c := range cases {
		_, err := Parse(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, c.want)
		}
	}
}

func TestHFFile(t *testing.T) {
	b, err := os.ReadFile("../testdata/tiny/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	tt, ok := f.Tensor("logit_scale")
	if !ok {
		t.Fatal("no logit_scale")
	}
	v, err := tt.Float32s()
	if err != nil || len(v) != 1 || v[0] < 2.302 || v[0] > 2.303 {
		t.Fatalf("logit_scale = %v, %v (want log 10)", v, err)
	}
}

func FuzzParse(f *testing.F) {
	var buf bytes.Buffer
	_ = Write(&buf, []Tensor{{Name: "w", DType: F16, Shape: []int{2, 3}, Data: make([]byte, 12)}}, map[string]string{"k": "v"})
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse(b)
		if err != nil {
			return
		}
		for _, n := range file.Names() {
			tt, _ := file.Tensor(n)
			if tt.NumElements()*tt.DType.Size() != len(tt.Data) {
				t.Fatalf("tensor %q: view of %d bytes for %v", n, len(tt.Data), tt.Shape)
			}
			_, _ = tt.Float32s()
		}
	})
}

// TestHostileHeaders: issue 14 rows 5 and 7. A repeated key (encoding/json
// keeps the last) and a PNG given as a checkpoint.
func TestHostileHeaders(t *testing.T) {
	file := func(h string) []byte {
		return append(binary.LittleEndian.AppendUint64(nil, uint64(len(h))), h...)
	}
	for _, h := range []string{
		`{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`,
		`{"__metadata__":{"k":"1","k":"2"}}`,
		`{"a":{"dtype":"U8","dtype":"I8","shape":[0],"data_offsets":[0,0]}}`,
	} {
		if _, err := Parse(file(h)); err == nil || !strings.Contains(err.Error(), "appears twice") {
			t.Errorf("%s: err = %v", h, err)
		}
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	if _, err := Parse(png); err == nil || !strings.Contains(err.Error(), "not a safetensors file (it starts like a PNG image)") {
		t.Errorf("PNG: err = %v", err)
	}
}
