package modelfile

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// Format identification, written to and checked in the header's
// __metadata__.
const (
	FormatName = "siglip-wasm"
	// Version is the format version written. Version 2's hash covers the
	// whole file, header included (MetaFileSHA256); version 1's covered
	// the data section only (MetaSHA256) and is still read.
	Version = 2

	MetaFormat    = "format"
	MetaVersion   = "format_version"
	MetaScheme    = "scheme"
	MetaTokenizer = "tokenizer"
	MetaSHA256    = "payload_sha256" // version 1 only: SHA-256 of the data section
	// MetaFileSHA256 (version 2) is the SHA-256 of the whole file with
	// this value's 64 hex digits read as ASCII '0's.
	MetaFileSHA256 = "file_sha256"
	// MetaQ4Method (q4 files only) names how the 4-bit weights were
	// chosen: "rtn" (RoundQ4) or "gptq" (package gptq's calibrated
	// quantizer). Informational: readers need not look at it.
	MetaQ4Method = "q4_method"
	// MetaText is the text pipeline around the tokenizer (lowercasing,
	// max length, pad/bos/eos tokens) that the converter resolved from the
	// snapshot's tokenizer_config.json, as tokenizer.TextConfig's JSON.
	// Files without it use tokenizer.DefaultText.
	MetaText = "text"

	// ConfigTensor and TokenizerTensor are the U8 tensors carrying the
	// Hugging Face config.json and the tokenizer model, byte for byte.
	ConfigTensor    = "__config__"
	TokenizerTensor = "__tokenizer__"
	// ScaleSuffix names the scale tensor of a quantized weight.
	ScaleSuffix = ".scale"

	TokenizerSentencePiece = "spiece.model"
	TokenizerJSON          = "tokenizer.json"

	SchemeF32 = "f32"
	SchemeF16 = "f16"
	SchemeQ8  = "q8"
	SchemeQ4  = "q4"
)

func validScheme(s string) bool {
	return s == SchemeF32 || s == SchemeF16 || s == SchemeQ8 || s == SchemeQ4
}

// File is an opened model file. Every view it hands out aliases the bytes
// given to Open, which must stay unmodified while the File is in use.
type File struct {
	st      *safetensors.File
	scheme  string
	cfg     []byte
	tok     []byte
	tokKind string
	specs   []Spec
	floats  map[string][]float32
	weights map[string]*Weight
	SHA256  string // the verified hash, hex: file_sha256 (version 2) or payload_sha256 (version 1)
	// Version is the file's format_version: 2, or 1 for a file whose hash
	// does not cover its header (tensor table and metadata).
	Version int
	// Text is the text metadata (MetaText): tokenizer.TextConfig JSON, ""
	// in files written before it existed.
	Text string
	// Q4Method is the q4_method metadata of a q4 file ("rtn" or "gptq";
	// "" for other schemes and for files that do not say).
	Q4Method string
}

// Weight is one Linear or Embedding weight as stored: exactly one of F32,
// F16, Q8, Q8Rows or Q4 is set.
type Weight struct {
	Spec
	Scheme string
	F32    []float32 // f32: row-major [N][K], aliasing the file
	F16    []byte    // f16: row-major [N][K] little-endian halves, aliasing the file
	Q8     *kernel.PackedQ8
	// Q8Rows and RowScales hold a q8 Embedding row-major (row n is
	// RowScales[n]·Q8Rows[n*K:(n+1)*K]).
	Q8Rows    []int8
	RowScales []float32
	Q4        *kernel.PackedQ4
}

// Open checks data as a model file (format name, version, payload hash,
// config, tokenizer, and every tensor the config implies with its dtype and
// shape) and returns views into it. Nothing is copied except f16 q8 scales.
// specs gives the tensors the config implies (weights.Specs: the model's
// own table).
func Open(data []byte, specs SpecsFunc) (*File, error) { return open(data, true, specs) }

func open(data []byte, verify bool, specs SpecsFunc) (*File, error) {
	if specs == nil {
		return nil, fmt.Errorf("modelfile: Open needs the model's tensor table (weights.Specs)")
	}
	st, err := safetensors.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("modelfile: %v", err)
	}
	md := st.Metadata
	if md[MetaFormat] != FormatName {
		if f, ok := md[MetaFormat]; ok {
			return nil, fmt.Errorf("modelfile: format %q is not %q (a Hugging Face checkpoint? convert it with `siglip convert`)", f, FormatName)
		}
		return nil, fmt.Errorf("modelfile: not a %s model file: no %q in the safetensors metadata", FormatName, MetaFormat)
	}
	v, err := strconv.Atoi(md[MetaVersion])
	if err != nil {
		return nil, fmt.Errorf("modelfile: bad %s %q", MetaVersion, md[MetaVersion])
	}
	if v != Version && v != 1 {
		return nil, fmt.Errorf("modelfile: unsupported format version %d (this build reads versions 1 and %d)", v, Version)
	}
	f, err := openVersion(data, st, v, verify, specs)
	if err != nil && v == 1 {
		return nil, fmt.Errorf("%w (the file is format version 1, written before the hash covered the header: re-convert it with `siglip convert`)", err)
	}
	return f, err
}

func openVersion(data []byte, st *safetensors.File, v int, verify bool, specs SpecsFunc) (*File, error) {
	md := st.Metadata
	hashKey := MetaFileSHA256
	if v == 1 {
		hashKey = MetaSHA256
	}
	f := &File{st: st, scheme: md[MetaScheme], tokKind: md[MetaTokenizer], SHA256: md[hashKey], Q4Method: md[MetaQ4Method], Version: v, Text: md[MetaText],
		floats: map[string][]float32{}, weights: map[string]*Weight{}}
	if len(f.SHA256) != 64 || strings.Trim(f.SHA256, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("modelfile: metadata %s %q is not a lowercase hex SHA-256", hashKey, f.SHA256)
	}
	if verify {
		var got string
		if v == 1 {
			sum := sha256.Sum256(st.Data())
			got = hex.EncodeToString(sum[:])
		} else {
			var err error
			if got, err = fileHash(data, st.HeaderSize, f.SHA256); err != nil {
				return nil, fmt.Errorf("modelfile: %v", err)
			}
		}
		if got != f.SHA256 {
			what := "file"
			if v == 1 {
				what = "payload"
			}
			return nil, fmt.Errorf("modelfile: %s SHA-256 mismatch: header says %s, the %s hashes to %s (corrupt or truncated download, or an edited file)", what, f.SHA256, what, got)
		}
	}
	if !validScheme(f.scheme) {
		return nil, fmt.Errorf("modelfile: unknown scheme %q", f.scheme)
	}
	if f.tokKind != TokenizerSentencePiece && f.tokKind != TokenizerJSON {
		return nil, fmt.Errorf("modelfile: unknown tokenizer kind %q", f.tokKind)
	}
	var err error
	if f.cfg, err = byteTensor(st, ConfigTensor); err != nil {
		return nil, err
	}
	if f.tok, err = byteTensor(st, TokenizerTensor); err != nil {
		return nil, err
	}
	if f.specs, err = tableFor(specs, f.cfg); err != nil {
		return nil, err
	}
	for _, s := range f.specs {
		if s.Kind == Float {
			t, err := tensor(st, s.Name, safetensors.F32, s.HFShape)
			if err != nil {
				return nil, err
			}
			if f.floats[s.Name], err = t.Float32s(); err != nil {
				return nil, fmt.Errorf("modelfile: %v", err)
			}
			if err := finite32(s.Name, f.floats[s.Name]); err != nil {
				return nil, err
			}
			continue
		}
		w, err := f.loadWeight(s)
		if err != nil {
			return nil, err
		}
		f.weights[s.Name] = w
	}
	return f, nil
}

func (f *File) loadWeight(s Spec) (*Weight, error) {
	w := &Weight{Spec: s, Scheme: f.scheme}
	nk := []int{s.N, s.K}
	switch f.scheme {
	case SchemeF32:
		t, err := tensor(f.st, s.Name, safetensors.F32, nk)
		if err != nil {
			return nil, err
		}
		if w.F32, err = t.Float32s(); err != nil {
			return nil, err
		}
		return w, finite32(s.Name, w.F32)
	case SchemeF16:
		t, err := tensor(f.st, s.Name, safetensors.F16, nk)
		if err != nil {
			return nil, err
		}
		w.F16 = t.Data
		return w, finiteF16(s.Name, w.F16)
	case SchemeQ8:
		return f.loadQ8(w, s)
	case SchemeQ4:
		if t, ok := f.st.Tensor(s.Name); ok && t.DType == safetensors.I8 && s.Kind == Linear {
			return f.loadQ8(w, s) // the layers q4 keeps at 8 bits (Q4KeepsQ8)
		}
		nb := (s.K + kernel.Q4Block - 1) / kernel.Q4Block
		t, err := tensor(f.st, s.Name, safetensors.U8, []int{s.N, nb, 16})
		if err != nil {
			return nil, err
		}
		sc, err := tensor(f.st, s.Name+ScaleSuffix, safetensors.F16, []int{s.N, nb})
		if err != nil {
			return nil, err
		}
		if err := finiteF16(sc.Name, sc.Data); err != nil {
			return nil, err
		}
		w.Q4, err = kernel.NewPackedQ4(t.Data, u16View(sc.Data), s.N, s.K)
		if err != nil {
			return nil, fmt.Errorf("modelfile: tensor %q: %v", s.Name, err)
		}
		return w, nil
	}
	return nil, fmt.Errorf("modelfile: unknown scheme %q", f.scheme)
}

func tensor(st *safetensors.File, name string, dt safetensors.DType, shape []int) (safetensors.Tensor, error) {
	t, ok := st.Tensor(name)
	if !ok {
		return t, fmt.Errorf("modelfile: tensor %q is missing", name)
	}
	if t.DType != dt || !slices.Equal(t.Shape, shape) {
		return t, fmt.Errorf("modelfile: tensor %q is %s%v, want %s%v", name, t.DType, t.Shape, dt, shape)
	}
	return t, nil
}

func byteTensor(st *safetensors.File, name string) ([]byte, error) {
	t, ok := st.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("modelfile: tensor %q is missing", name)
	}
	if t.DType != safetensors.U8 || len(t.Shape) != 1 || len(t.Data) == 0 {
		return nil, fmt.Errorf("modelfile: tensor %q is %s%v, want non-empty U8 [n]", name, t.DType, t.Shape)
	}
	return t.Data, nil
}

// u16View views little-endian uint16s in place when aligned, else copies.
func u16View(b []byte) []uint16 {
	n := len(b) / 2
	if n == 0 {
		return []uint16{}
	}
	if uintptr(unsafe.Pointer(&b[0]))%2 == 0 {
		return unsafe.Slice((*uint16)(unsafe.Pointer(&b[0])), n)
	}
	out := make([]uint16, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return out
}

// Scheme is "f32", "f16", "q8" or "q4".
func (f *File) Scheme() string { return f.scheme }

// Config returns the Hugging Face config.json carried in the file.
func (f *File) Config() []byte { return f.cfg }

// Tokenizer returns the tokenizer model's bytes and its kind
// (TokenizerSentencePiece or TokenizerJSON).
func (f *File) Tokenizer() ([]byte, string) { return f.tok, f.tokKind }

// Specs lists the model's tensors, as config.json implies them.
func (f *File) Specs() []Spec { return slices.Clone(f.specs) }

// Float32s returns a Float tensor (norm, bias, position embedding, probe,
// logit_scale, logit_bias) by Hugging Face name, without copying.
func (f *File) Float32s(name string) ([]float32, error) {
	v, ok := f.floats[name]
	if !ok {
		if _, isW := f.weights[name]; isW {
			return nil, fmt.Errorf("modelfile: %q is a %s weight; use Weight", name, f.scheme)
		}
		return nil, fmt.Errorf("modelfile: no float tensor %q", name)
	}
	return v, nil
}

// Weight returns a Linear or Embedding weight by Hugging Face name.
func (f *File) Weight(name string) (*Weight, error) {
	w, ok := f.weights[name]
	if !ok {
		return nil, fmt.Errorf("modelfile: no weight %q", name)
	}
	return w, nil
}

// Vocab and Dim are an Embedding weight's N and K: with Row they make a
// *Weight a model.Embedding (modelfile/weights serves stored token tables
// so, dequantizing one row per lookup; so does package gptq's calibration).
func (w *Weight) Vocab() int { return w.N }
func (w *Weight) Dim() int   { return w.K }

// Row writes row n of the weight, dequantized, into dst[:K] (the token
// embedding lookup: no table is ever widened).
func (w *Weight) Row(n int, dst []float32) {
	k := w.K
	dst = dst[:k]
	switch {
	case w.F32 != nil:
		copy(dst, w.F32[n*k:(n+1)*k])
	case w.F16 != nil:
		for i := range dst {
			dst[i] = kernel.HalfBitsToFloat32(binary.LittleEndian.Uint16(w.F16[2*(n*k+i):]))
		}
	case w.Q8Rows != nil:
		s := w.RowScales[n]
		for i, q := range w.Q8Rows[n*k : (n+1)*k] {
			dst[i] = s * float32(q)
		}
	case w.Q8 != nil:
		s := w.Q8.Scales[n]
		for i := range dst {
			dst[i] = s * float32(w.Q8.At(n, i))
		}
	case w.Q4 != nil:
		for i := range dst {
			dst[i] = w.Q4.Scale(n, i/kernel.Q4Block) * float32(w.Q4.At(n, i))
		}
	}
}

// Float32 returns the whole weight as row-major float32 [N][K]: a view for
// f32, a dequantized copy otherwise (tests, and the f16 scheme, which has
// no half-precision kernels).
func (w *Weight) Float32() []float32 {
	if w.F32 != nil {
		return w.F32
	}
	out := make([]float32, w.N*w.K)
	for n := 0; n < w.N; n++ {
		w.Row(n, out[n*w.K:(n+1)*w.K])
	}
	return out
}

// Spec returns the spec of a tensor by Hugging Face name.
func (f *File) Spec(name string) (Spec, bool) {
	for _, s := range f.specs {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// loadQ8 views a q8 weight: packed panels for a Linear, rows for the
// Embedding, with its scales.
func (f *File) loadQ8(w *Weight, s Spec) (*Weight, error) {
	nk := []int{s.N, s.K}
	sc, ok := f.st.Tensor(s.Name + ScaleSuffix)
	if !ok {
		return nil, fmt.Errorf("modelfile: tensor %q is missing", s.Name+ScaleSuffix)
	}
	if (sc.DType != safetensors.F32 && sc.DType != safetensors.F16) || !slices.Equal(sc.Shape, []int{s.N}) {
		return nil, fmt.Errorf("modelfile: tensor %q is %s%v, want F32 or F16 [%d]", sc.Name, sc.DType, sc.Shape, s.N)
	}
	scales, err := sc.Float32s()
	if err != nil {
		return nil, fmt.Errorf("modelfile: %v", err)
	}
	if err := finite32(sc.Name, scales); err != nil {
		return nil, err
	}
	if s.Kind == Embedding {
		t, err := tensor(f.st, s.Name, safetensors.I8, nk)
		if err != nil {
			return nil, err
		}
		w.Q8Rows, _ = t.Int8s()
		w.RowScales = scales
		return w, nil
	}
	t, err := tensor(f.st, s.Name, safetensors.I8, q8PackedShape(s.N, s.K))
	if err != nil {
		return nil, err
	}
	q, _ := t.Int8s()
	w.Q8 = &kernel.PackedQ8{N: s.N, K: s.K, Kp: s.K + s.K%2, Data: q, Scales: scales}
	w.Q8.Prepare() // per-row sums for the fastest int8 kernel, now rather than on the first inference
	return w, nil
}

// IsModelFile reports whether r starts like a model file: a safetensors
// header (within safetensors.MaxHeaderSize) whose __metadata__ names
// FormatName. It reads only the header; the file is not verified.
func IsModelFile(r io.Reader) bool {
	var n [8]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return false
	}
	size := binary.LittleEndian.Uint64(n[:])
	if size < 2 || size > safetensors.MaxHeaderSize {
		return false
	}
	var h struct {
		Meta map[string]any `json:"__metadata__"`
	}
	if err := json.NewDecoder(io.LimitReader(r, int64(size))).Decode(&h); err != nil {
		return false
	}
	return h.Meta[MetaFormat] == FormatName
}
