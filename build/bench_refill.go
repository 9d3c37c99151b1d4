package main

// Refilling the stripped ONNX weights. testdata/full/onnx ships the graphs
// without their external data; each *.onnx.manifest.json lists every stripped
// tensor (name, ONNX data_type, dims, offset, length). Values don't change
// timings, but identical tensors let onnxruntime share memory and distort the
// memory figures, so every tensor gets its own slice of a prime-length
// pseudo-random block (its phase follows its file offset).

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// refillVersion changes whenever the fill rule changes, so stale caches are rebuilt.
const refillVersion = "refill-v1"

// ONNX TensorProto.DataType values found in the manifests.
const (
	onnxFloat = 1
	onnxUint8 = 2
	onnxInt8  = 3
	onnxInt64 = 7
)

type onnxManifest struct {
	DataFile string           `json:"data_file"`
	Tensors  []manifestTensor `json:"tensors"`
}

type manifestTensor struct {
	Name     string  `json:"name"`
	DataType int     `json:"data_type"`
	Dims     []int64 `json:"dims"`
	Offset   int64   `json:"offset"`
	Length   int64   `json:"length"`
}

func readManifest(path string) (*onnxManifest, []byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var m onnxManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.DataFile == "" || strings.ContainsAny(m.DataFile, `/\`) {
		return nil, nil, fmt.Errorf("%s: data_file %q is not a plain file name", path, m.DataFile)
	}
	if len(m.Tensors) == 0 {
		return nil, nil, fmt.Errorf("%s: no tensors", path)
	}
	return &m, raw, nil
}

// checkTensor validates one manifest entry: its length must match its type
// and dims, so a truncated or edited manifest is caught before ORT sees it.
func checkTensor(t manifestTensor) error {
	size := map[int]int64{onnxFloat: 4, onnxUint8: 1, onnxInt8: 1, onnxInt64: 8}[t.DataType]
	if size == 0 {
		return fmt.Errorf("tensor %q: unsupported ONNX data_type %d", t.Name, t.DataType)
	}
	n := int64(1)
	for _, d := range t.Dims {
		if d < 0 {
			return fmt.Errorf("tensor %q: negative dim in %v", t.Name, t.Dims)
		}
		n *= d
	}
	if n*size != t.Length {
		return fmt.Errorf("tensor %q: length %d but dims %v × %d bytes = %d", t.Name, t.Length, t.Dims, size, n*size)
	}
	if t.Offset < 0 {
		return fmt.Errorf("tensor %q: negative offset %d", t.Name, t.Offset)
	}
	if t.DataType == onnxInt64 && !(len(t.Dims) == 2 && t.Dims[0] == 1) {
		return fmt.Errorf("tensor %q: int64 tensor with dims %v is not a [1,N] position-id row", t.Name, t.Dims)
	}
	return nil
}

// Prime block lengths (in elements): a tensor's values repeat only after this many.
const (
	floatBlock = 1000003 // prime
	byteBlock  = 65521   // prime
)

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// refillData writes dir/<data_file> for the manifest at manifestPath unless
// an up-to-date copy is already there, and returns its path.
func refillData(manifestPath, dir string) (string, error) {
	m, raw, err := readManifest(manifestPath)
	if err != nil {
		return "", err
	}
	var end int64
	for _, t := range m.Tensors {
		if err := checkTensor(t); err != nil {
			return "", fmt.Errorf("%s: %w", manifestPath, err)
		}
		end = max(end, t.Offset+t.Length)
	}
	sum := sha256.Sum256(append([]byte(refillVersion), raw...))
	stamp := hex.EncodeToString(sum[:])
	out := filepath.Join(dir, m.DataFile)
	if st, err := os.Stat(out); err == nil && st.Size() == end {
		if b, err := os.ReadFile(out + ".stamp"); err == nil && string(b) == stamp {
			return out, nil
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}

	floats := make([]byte, floatBlock*4)
	for i := range floatBlock {
		u := float64(splitmix(uint64(i))>>11)*0x1p-53*2 - 1
		binary.LittleEndian.PutUint32(floats[i*4:], math.Float32bits(float32(0.05*u)))
	}
	bytes := make([]byte, byteBlock)
	for i := range bytes {
		bytes[i] = byte(splitmix(uint64(i) ^ 0xabcdef))
	}

	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	// Tensors are written in offset order; gaps (alignment) are zero.
	order := append([]manifestTensor(nil), m.Tensors...)
	slices.SortFunc(order, func(a, b manifestTensor) int { return cmp.Compare(a.Offset, b.Offset) })
	w := bufio.NewWriterSize(f, 1<<20)
	var pos int64
	zero := make([]byte, 4096)
	for _, t := range order {
		if t.Offset < pos {
			f.Close()
			return "", fmt.Errorf("%s: tensor %q at offset %d overlaps the previous one (ends at %d)", manifestPath, t.Name, t.Offset, pos)
		}
		for pos < t.Offset {
			n := min(int64(len(zero)), t.Offset-pos)
			w.Write(zero[:n])
			pos += n
		}
		switch t.DataType {
		case onnxFloat:
			writeCyclic(w, floats, (t.Offset/4%floatBlock)*4, t.Length)
		case onnxUint8:
			writeCyclic(w, bytes, t.Offset%byteBlock, t.Length)
		case onnxInt8:
			// Small signed ints in [-8, 8].
			small := make([]byte, byteBlock)
			for i, b := range bytes {
				small[i] = byte(int8(int(b)%17 - 8))
			}
			writeCyclic(w, small, t.Offset%byteBlock, t.Length)
		case onnxInt64:
			var b [8]byte
			for i := int64(0); i < t.Dims[1]; i++ {
				binary.LittleEndian.PutUint64(b[:], uint64(i))
				w.Write(b[:])
			}
		}
		pos += t.Length
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, out); err != nil {
		return "", err
	}
	return out, os.WriteFile(out+".stamp", []byte(stamp), 0o644)
}

// writeCyclic writes n bytes of block starting at start, wrapping around.
func writeCyclic(w *bufio.Writer, block []byte, start, n int64) {
	for n > 0 {
		chunk := block[start:]
		if int64(len(chunk)) > n {
			chunk = chunk[:n]
		}
		w.Write(chunk)
		n -= int64(len(chunk))
		start = 0
	}
}
