package main

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// An index file (siglip index) is JSON lines, so that an interrupted run
// leaves a file that is valid up to its last complete line and a resumed run
// only appends:
//
//	{"format":"siglip-index","version":1,"model_sha256":…,"model":PATH,"embed_dim":D,"image_size":N,"shard":"I/N"}
//	{"image":PATH,"embedding":BASE64}   one line per image, in the order written
//
// embedding is the image's L2-normalised embedding, D little-endian float32s
// in standard base64. shard is "" for a whole library (or a merge of shards).
const (
	indexFormat  = "siglip-index"
	indexVersion = 1
	// maxIndexLine bounds one line (a 4096-dimension embedding is 22 KB).
	maxIndexLine = 1 << 20
)

type indexHeader struct {
	Format      string `json:"format"`
	Version     int    `json:"version"`
	ModelSHA256 string `json:"model_sha256"`
	Model       string `json:"model"`
	EmbedDim    int    `json:"embed_dim"`
	ImageSize   int    `json:"image_size"`
	Shard       string `json:"shard"`
}

type indexEntry struct {
	Image     string `json:"image"`
	Embedding string `json:"embedding"`
}

func encodeEmbedding(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decodeEmbedding(s string, d int) ([]float32, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 4*d {
		return nil, fmt.Errorf("embedding has %d bytes, want %d (embed_dim %d)", len(b), 4*d, d)
	}
	v := make([]float32, d)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		if math.IsNaN(float64(v[i])) || math.IsInf(float64(v[i]), 0) {
			return nil, errors.New("embedding holds a non-finite value")
		}
	}
	return v, nil
}

func (h indexHeader) line() []byte {
	b, _ := json.Marshal(h)
	return append(b, '\n')
}

func entryLine(image string, emb []float32) []byte {
	b, _ := json.Marshal(indexEntry{image, encodeEmbedding(emb)})
	return append(b, '\n')
}

// indexReader reads an index line by line (memory stays flat in its size).
type indexReader struct {
	path   string
	f      *os.File
	r      *bufio.Reader
	Header indexHeader
	line   int
	// Good is the byte length of the header and every complete entry read
	// so far; Partial is set when the file ends in an incomplete line (an
	// interrupted run), which Next then skips.
	Good    int64
	Partial bool
	Entries int
}

func openIndex(path string) (*indexReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	ir := &indexReader{path: path, f: f, r: bufio.NewReaderSize(f, maxIndexLine)}
	first, complete, err := ir.readLine()
	if err != nil || !complete {
		f.Close()
		if err == nil || err == io.EOF {
			err = errors.New("no header line")
		}
		return nil, fmt.Errorf("%s: not a siglip index: %v", path, err)
	}
	if err := json.Unmarshal(first, &ir.Header); err != nil || ir.Header.Format != indexFormat {
		f.Close()
		return nil, fmt.Errorf("%s: not a siglip index (its first line is not a siglip-index header)", path)
	}
	if ir.Header.Version != indexVersion {
		f.Close()
		return nil, fmt.Errorf("%s: index version %d, this siglip reads version %d", path, ir.Header.Version, indexVersion)
	}
	if d := ir.Header.EmbedDim; d < 1 || d > 1<<16 {
		f.Close()
		return nil, fmt.Errorf("%s: embed_dim %d in the header", path, d)
	}
	ir.Good = int64(len(first)) + 1
	return ir, nil
}

// readLine returns the next line without its newline (valid until the next
// read); complete is false for a last line with no newline.
func (ir *indexReader) readLine() (line []byte, complete bool, err error) {
	b, err := ir.r.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return nil, false, fmt.Errorf("line %d is longer than %d bytes", ir.line+1, maxIndexLine)
	case err == io.EOF:
		if len(b) == 0 {
			return nil, false, io.EOF
		}
		ir.line++
		return b, false, nil
	case err != nil:
		return nil, false, err
	}
	ir.line++
	return b[:len(b)-1], true, nil
}

// Next returns the next entry's image and embedding; io.EOF at the end.
func (ir *indexReader) Next() (string, []float32, error) {
	line, complete, err := ir.readLine()
	if err != nil {
		if err == io.EOF {
			return "", nil, io.EOF
		}
		return "", nil, fmt.Errorf("%s: %v", ir.path, err)
	}
	if !complete {
		ir.Partial = true
		return "", nil, io.EOF
	}
	var e indexEntry
	if err := json.Unmarshal(line, &e); err != nil || e.Image == "" {
		return "", nil, fmt.Errorf("%s: line %d is not an index entry", ir.path, ir.line)
	}
	v, err := decodeEmbedding(e.Embedding, ir.Header.EmbedDim)
	if err != nil {
		return "", nil, fmt.Errorf("%s: line %d (%s): %v", ir.path, ir.line, e.Image, err)
	}
	ir.Good += int64(len(line)) + 1
	ir.Entries++
	return e.Image, v, nil
}

func (ir *indexReader) Close() error { return ir.f.Close() }

// forEachEntry streams every complete entry of an index.
func forEachEntry(path string, fn func(h indexHeader, image string, emb []float32) error) (indexHeader, error) {
	ir, err := openIndex(path)
	if err != nil {
		return indexHeader{}, err
	}
	defer ir.Close()
	for {
		img, emb, err := ir.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ir.Header, err
		}
		if err := fn(ir.Header, img, emb); err != nil {
			return ir.Header, err
		}
	}
	if ir.Partial {
		fmt.Fprintf(os.Stderr, "siglip: %s ends in an incomplete line (an interrupted siglip index? rerun it to finish); using its %d complete entries\n", path, ir.Entries)
	}
	return ir.Header, nil
}
