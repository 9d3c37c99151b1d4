package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// MaxHeaderSize bounds the JSON header, as the reference implementation
// does (100 MB), so a corrupt length cannot make us allocate gigabytes.
const MaxHeaderSize = 100 << 20

// Tensor is one named tensor. Data is a view into the file's bytes
// (little-endian, row-major); it must not be modified.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// NumElements is the product of the shape (1 for a scalar).
func (t Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is a parsed safetensors buffer.
type File struct {
	// Metadata is the header's "__metadata__" (nil when absent).
	Metadata map[string]string
	// HeaderSize is the length of the JSON header in bytes.
	HeaderSize int
	names      []string
	tensors    map[string]Tensor
	data       []byte
}

type headerEntry struct {
	DType       DType    `json:"dtype"`
	Shape       []int64  `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// Parse validates b as a safetensors file and indexes its tensors without
// copying them.
func Parse(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("safetensors: file is %d bytes, too short for the 8-byte header length", len(b))
	}
	n := binary.LittleEndian.Uint64(b[:8])
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("safetensors: not a safetensors file%s: the header length its first 8 bytes give exceeds the %d MB limit", sniff(b), MaxHeaderSize>>20)
	}
	if uint64(len(b)-8) < n {
		return nil, fmt.Errorf("safetensors: header length %d but only %d bytes follow (truncated file)", n, len(b)-8)
	}
	hdr := b[8 : 8+n]
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, fmt.Errorf("safetensors: header is not a JSON object: %v", err)
	}
	if err := noDuplicateKeys(hdr); err != nil {
		return nil, fmt.Errorf("safetensors: header: %v", err)
	}
	f := &File{HeaderSize: int(n), tensors: make(map[string]Tensor, len(raw)), data: b[8+n:]}
	type span struct {
		begin, end int64
		name       string
	}
	var spans []span
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return nil, fmt.Errorf("safetensors: __metadata__ must map strings to strings: %v", err)
			}
			continue
		}
		var e headerEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: bad header entry: %v", name, err)
		}
		if err := e.DType.check(); err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: %v", name, err)
		}
		elems := int64(1)
		shape := make([]int, len(e.Shape))
		for i, d := range e.Shape {
			if d < 0 || (d > 0 && elems > math.MaxInt32*int64(1<<16)/d) {
				return nil, fmt.Errorf("safetensors: tensor %q: bad shape %v", name, e.Shape)
			}
			elems *= d
			shape[i] = int(d)
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin || end > int64(len(f.data)) {
			return nil, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] outside the %d data bytes (truncated file?)", name, begin, end, len(f.data))
		}
		if want := elems * int64(e.DType.Size()); end-begin != want {
			return nil, fmt.Errorf("safetensors: tensor %q: %s%v needs %d bytes but data_offsets span %d", name, e.DType, e.Shape, want, end-begin)
		}
		f.tensors[name] = Tensor{Name: name, DType: e.DType, Shape: shape, Data: f.data[begin:end:end]}
		f.names = append(f.names, name)
		spans = append(spans, span{begin, end, name})
	}
	sort.Slice(spans, func(i, j int) bool {
		return spans[i].begin < spans[j].begin || spans[i].begin == spans[j].begin && spans[i].end < spans[j].end
	})
	for i := 1; i < len(spans); i++ {
		if spans[i].begin < spans[i-1].end {
			return nil, fmt.Errorf("safetensors: tensors %q and %q overlap", spans[i-1].name, spans[i].name)
		}
	}
	sort.Strings(f.names)
	return f, nil
}

// Names lists the tensor names, sorted.
func (f *File) Names() []string { return append([]string(nil), f.names...) }

// Len is the number of tensors.
func (f *File) Len() int { return len(f.names) }

// Tensor returns the named tensor and whether it exists.
func (f *File) Tensor(name string) (Tensor, bool) {
	t, ok := f.tensors[name]
	return t, ok
}

// Data is the byte region after the header that the tensors view.
func (f *File) Data() []byte { return f.data }

// noDuplicateKeys refuses a JSON text in which any object repeats a key:
// encoding/json keeps the last, so two readers could see two different
// tensor tables in one header.
func noDuplicateKeys(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	var walk func() error
	walk = func() error {
		t, err := d.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'):
			seen := map[string]bool{}
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return err
				}
				key, _ := k.(string)
				if seen[key] {
					return fmt.Errorf("key %q appears twice", key)
				}
				seen[key] = true
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = d.Token()
			return err
		case json.Delim('['):
			for d.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = d.Token()
			return err
		}
		return nil
	}
	return walk()
}

// sniff names a few file types that are often given by mistake, from
// their first bytes, for the "not a safetensors file" message.
func sniff(b []byte) string {
	for _, m := range []struct{ magic, name string }{
		{"\x89PNG", "PNG image"}, {"\xff\xd8\xff", "JPEG image"}, {"GIF8", "GIF image"},
		{"PK\x03\x04", "zip archive (a PyTorch .bin/.pt checkpoint?)"}, {"\x80\x02", "Python pickle (a PyTorch checkpoint?)"},
		{"GGUF", "GGUF model"}, {"\x93NUMPY", ".npy array"}, {"{", "JSON document"},
	} {
		if bytes.HasPrefix(b, []byte(m.magic)) {
			return " (it starts like a " + m.name + ")"
		}
	}
	return ""
}
