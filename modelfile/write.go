package modelfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// Options tunes Write beyond the scheme.
type Options struct {
	// Q8ScaleF16 stores q8 row scales as F16 instead of F32 (2 bytes a row
	// smaller; the scale is rounded to f16 before the weights are
	// quantized against it, so the file stays self-consistent).
	Q8ScaleF16 bool
	// Q4 quantizes the 4-bit Linear weights of a q4 file in place of the
	// default, RoundQ4 (round to nearest with searched block scales). The
	// calibrated GPTQ quantizer of package gptq plugs in here.
	Q4 Q4Quantizer
	// Q4Method names the 4-bit method for the file's metadata
	// (MetaQ4Method); empty means "rtn" (RoundQ4).
	Q4Method string
	// Text is the resolved text pipeline (tokenizer.TextConfig's JSON),
	// stored as MetaText; empty leaves it out.
	Text string
	// Preprocessor is stored as MetaPreprocessor when not empty (the
	// converter's resolved preprocessor_config.json).
	Preprocessor []byte
}

// Q4Quantizer quantizes the Linear weight name, w[N][K] row-major, to
// 4-bit values Q ∈ [-8, 7] packed in kernel.PackedQ4's layout (PackQ4)
// and one f16 scale per block of 32 along K. The token embedding table
// is not a Linear and is always quantized by RoundQ4.
type Q4Quantizer func(name string, w []float32, n, k int) (data []byte, scales []uint16, err error)

// Write converts the float weights src of the SigLIP model described by
// cfgJSON (Hugging Face config.json bytes) into a model file with the given
// scheme ("f32", "f16", "q8" or "q4"), carrying cfgJSON and the tokenizer
// model (tokenizerKind "spiece.model" or "tokenizer.json") inside; specs
// gives the tensors the config implies (weights.Specs). The output depends
// only on its inputs: same inputs, same bytes.
func Write(w io.Writer, specs SpecsFunc, cfgJSON, tokenizer []byte, tokenizerKind string, src Source, scheme string) error {
	return WriteOptions(w, specs, cfgJSON, tokenizer, tokenizerKind, src, scheme, Options{})
}

// WriteOptions is Write with Options.
func WriteOptions(w io.Writer, specs SpecsFunc, cfgJSON, tokenizer []byte, tokenizerKind string, src Source, scheme string, opt Options) error {
	if !validScheme(scheme) {
		return fmt.Errorf("modelfile: unknown scheme %q (want f32, f16, q8 or q4)", scheme)
	}
	if tokenizerKind != TokenizerSentencePiece && tokenizerKind != TokenizerJSON {
		return fmt.Errorf("modelfile: unknown tokenizer kind %q (want %q or %q)", tokenizerKind, TokenizerSentencePiece, TokenizerJSON)
	}
	if len(tokenizer) == 0 {
		return fmt.Errorf("modelfile: the tokenizer (%s) is empty", tokenizerKind)
	}
	table, err := tableFor(specs, cfgJSON)
	if err != nil {
		return err
	}
	// Four groups keep every view aligned when the data section is 8-byte
	// aligned (safetensors.Write pads the header to 8): packed int8 / 4-bit
	// blocks (each a multiple of 16 bytes) first, then F32, then F16, then
	// byte tensors of any length.
	var blocks, f32s, f16s, rest []safetensors.Tensor
	for _, s := range table {
		shape, v, err := src.Tensor(s.Name)
		if err != nil {
			return fmt.Errorf("modelfile: %v", err)
		}
		if !slices.Equal(shape, s.HFShape) && !(s.Kind != Float && slices.Equal(shape, []int{s.N, s.K})) {
			return fmt.Errorf("modelfile: tensor %q has shape %v, config.json implies %v", s.Name, shape, s.HFShape)
		}
		if err := checkFinite(s.Name, v); err != nil {
			return err
		}
		if s.Kind == Float || scheme == SchemeF32 {
			shp := s.HFShape
			if s.Kind != Float {
				shp = []int{s.N, s.K}
			}
			f32s = append(f32s, safetensors.Tensor{Name: s.Name, DType: safetensors.F32, Shape: shp, Data: safetensors.F32Bytes(v)})
			continue
		}
		kind := scheme
		if scheme == SchemeQ4 && s.Kind == Linear && Q4KeepsQ8(s.Name) {
			kind = SchemeQ8
		}
		switch kind {
		case SchemeF16:
			f16s = append(f16s, safetensors.Tensor{Name: s.Name, DType: safetensors.F16, Shape: []int{s.N, s.K}, Data: safetensors.F16Bytes(v)})
		case SchemeQ8:
			q, scales := quantizeQ8Rows(v, s.N, s.K, opt.Q8ScaleF16)
			st := safetensors.Tensor{Name: s.Name + ScaleSuffix, DType: safetensors.F32, Shape: []int{s.N}, Data: safetensors.F32Bytes(scales)}
			if opt.Q8ScaleF16 {
				st.DType, st.Data = safetensors.F16, safetensors.F16Bytes(scales)
			}
			if st.DType == safetensors.F32 {
				f32s = append(f32s, st)
			} else {
				f16s = append(f16s, st)
			}
			if s.Kind == Embedding {
				rest = append(rest, safetensors.Tensor{Name: s.Name, DType: safetensors.I8, Shape: []int{s.N, s.K}, Data: int8Bytes(q)})
				continue
			}
			p, err := kernel.PackQ8(q, scales, s.N, s.K)
			if err != nil {
				return fmt.Errorf("modelfile: tensor %q: %v", s.Name, err)
			}
			blocks = append(blocks, safetensors.Tensor{Name: s.Name, DType: safetensors.I8, Shape: q8PackedShape(s.N, s.K), Data: int8Bytes(p.Data)})
		case SchemeQ4:
			var data []byte
			var scales []uint16
			if opt.Q4 != nil && s.Kind == Linear {
				if data, scales, err = opt.Q4(s.Name, v, s.N, s.K); err != nil {
					return fmt.Errorf("modelfile: tensor %q: %v", s.Name, err)
				}
				nb := (s.K + kernel.Q4Block - 1) / kernel.Q4Block
				if len(data) != s.N*nb*16 || len(scales) != s.N*nb {
					return fmt.Errorf("modelfile: tensor %q: the q4 quantizer returned %d bytes and %d scales, want %d and %d", s.Name, len(data), len(scales), s.N*nb*16, s.N*nb)
				}
			} else {
				data, scales = RoundQ4(v, s.N, s.K)
			}
			nb := len(scales) / s.N
			blocks = append(blocks, safetensors.Tensor{Name: s.Name, DType: safetensors.U8, Shape: []int{s.N, nb, 16}, Data: data})
			f16s = append(f16s, safetensors.Tensor{Name: s.Name + ScaleSuffix, DType: safetensors.F16, Shape: []int{s.N, nb}, Data: u16Bytes(scales)})
		}
	}
	rest = append(rest,
		safetensors.Tensor{Name: ConfigTensor, DType: safetensors.U8, Shape: []int{len(cfgJSON)}, Data: cfgJSON},
		safetensors.Tensor{Name: TokenizerTensor, DType: safetensors.U8, Shape: []int{len(tokenizer)}, Data: tokenizer})
	all := slices.Concat(blocks, f32s, f16s, rest)
	meta := map[string]string{
		MetaFormat:     FormatName,
		MetaVersion:    strconv.Itoa(Version),
		MetaScheme:     scheme,
		MetaTokenizer:  tokenizerKind,
		MetaFileSHA256: string(hashPlaceholder),
	}
	if opt.Text != "" {
		meta[MetaText] = opt.Text
	}
	if len(opt.Preprocessor) > 0 {
		meta[MetaPreprocessor] = string(opt.Preprocessor)
	}
	if scheme == SchemeQ4 {
		meta[MetaQ4Method] = "rtn"
		if opt.Q4Method != "" {
			meta[MetaQ4Method] = opt.Q4Method
		}
	}
	return writeHashed(w, all, meta)
}

// writeHashed writes the file twice over: once into SHA-256 with the
// placeholder as file_sha256, then to w with the hash in its place (the
// output is deterministic, so the two differ in those 64 bytes only).
func writeHashed(w io.Writer, all []safetensors.Tensor, meta map[string]string) error {
	h := sha256.New()
	if err := safetensors.Write(h, all, meta); err != nil {
		return err
	}
	meta[MetaFileSHA256] = hex.EncodeToString(h.Sum(nil))
	return safetensors.Write(w, all, meta)
}

// Q4KeepsQ8 says which Linear weights a q4 file stores as q8: the first
// layer (the patch embedding) and the last ones (the text head, the vision
// pooling head's attention). Their 4-bit error is not diluted by a residual
// stream: on the tiny model, 4 bits in the patch embedding alone cost image
// cosine 0.997 and in the heads 0.992, more than all encoder layers
// together. At q8 they add 1.6 MB to a base-size q4 file (118.5 MB; the
// head's MLP too would pass the 120 MB budget).
func Q4KeepsQ8(name string) bool {
	return name == "vision_model.embeddings.patch_embedding.weight" ||
		name == "text_model.head.weight" || strings.HasPrefix(name, "vision_model.head.attention.")
}

// q8PackedShape is the shape of a packed q8 Linear weight: panels of 8
// rows, pairs of k, 8 rows, 2 k (kernel.PackedQ8's layout, read in order).
func q8PackedShape(n, k int) []int {
	return []int{(n + kernel.PanelRows - 1) / kernel.PanelRows, (k + 1) / 2, kernel.PanelRows, 2}
}

func int8Bytes(q []int8) []byte {
	if len(q) == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&q[0])), len(q))
}

func u16Bytes(v []uint16) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		b[2*i] = byte(x)
		b[2*i+1] = byte(x >> 8)
	}
	return b
}
