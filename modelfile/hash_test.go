package modelfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unsafe"

	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

// editHeader re-encodes the header after edit, keeping the data section
// and NOT re-hashing: what an attacker or a careless edit produces.
func editHeader(t *testing.T, b []byte, edit func(h map[string]any)) []byte {
	t.Helper()
	n := binary.LittleEndian.Uint64(b)
	var h map[string]any
	if err := json.Unmarshal(b[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	hj, _ := json.Marshal(h)
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(hj)))
	return append(append(out, hj...), b[8+n:]...)
}

// asVersion1 turns a version-2 file into the version-1 form (payload hash
// only), as files written before the header was authenticated are.
func asVersion1(t *testing.T, b []byte) []byte {
	n := binary.LittleEndian.Uint64(b)
	sum := sha256.Sum256(b[8+n:])
	return editHeader(t, b, func(h map[string]any) {
		m := h["__metadata__"].(map[string]any)
		delete(m, MetaFileSHA256)
		m[MetaVersion] = "1"
		m[MetaSHA256] = hex.EncodeToString(sum[:])
	})
}

// tensorOffset is where tensor name's bytes start in the file b.
func tensorOffset(t *testing.T, b []byte, name string) int {
	st, err := safetensors.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	tt, ok := st.Tensor(name)
	if !ok {
		t.Fatalf("no tensor %q", name)
	}
	return 8 + st.HeaderSize + int(uintptr(unsafe.Pointer(&tt.Data[0]))-uintptr(unsafe.Pointer(&st.Data()[0])))
}

func entry(h map[string]any, name string) map[string]any { return h[name].(map[string]any) }

// TestHeaderAuthenticated: issue 14 row 5. Before, swapping two same-shape
// tensors' data_offsets loaded silently (a logit moved from -11.09 to
// -9.35), a duplicate key was accepted (last wins) and a re-hashed NaN
// logit_scale loaded and gave "NaN%" on every label.
func TestHeaderAuthenticated(t *testing.T) {
	good := writeFile(t, []byte(microConfig), SchemeQ8, Options{})
	f, err := Open(good, testSpecs)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != Version || len(f.SHA256) != 64 {
		t.Fatalf("version %d hash %q", f.Version, f.SHA256)
	}
	swap := func(h map[string]any) {
		a, b := entry(h, "text_model.final_layer_norm.weight"), entry(h, "text_model.final_layer_norm.bias")
		a["data_offsets"], b["data_offsets"] = b["data_offsets"], a["data_offsets"]
	}
	if _, err := Open(editHeader(t, good, swap), testSpecs); err == nil || !strings.Contains(err.Error(), "file SHA-256 mismatch") {
		t.Errorf("swapped data_offsets: %v", err)
	}
	if _, err := Open(editHeader(t, good, func(h map[string]any) { h["__metadata__"].(map[string]any)[MetaQ4Method] = "gptq" }), testSpecs); err == nil || !strings.Contains(err.Error(), "mismatch") {
		t.Errorf("edited metadata: %v", err)
	}
	// A duplicate key: the second "logit_bias" entry points at logit_scale's bytes.
	n := binary.LittleEndian.Uint64(good)
	hdr := string(good[8 : 8+n])
	var h map[string]map[string]any
	_ = json.Unmarshal([]byte(hdr), &h)
	dup, _ := json.Marshal(h["logit_scale"])
	hdr2 := strings.Replace(hdr, `"logit_bias":`, `"logit_bias":`+string(dup)+`,"logit_bias":`, 1)
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr2)))
	b = append(append(b, hdr2...), good[8+n:]...)
	if b, err = Rehash(b); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(b, testSpecs); err == nil || !strings.Contains(err.Error(), `key "logit_bias" appears twice`) {
		t.Errorf("duplicate key: %v", err)
	}
	// Non-finite floats, re-hashed so only the finiteness check can refuse them.
	for _, c := range []struct {
		name string
		v    float32
	}{{"logit_scale", float32(math.NaN())}, {"text_model.head.weight.scale", float32(math.Inf(1))}} {
		bad := append([]byte(nil), good...)
		off := tensorOffset(t, bad, c.name)
		binary.LittleEndian.PutUint32(bad[off:], math.Float32bits(c.v))
		if bad, err = Rehash(bad); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(bad, testSpecs); err == nil || !strings.Contains(err.Error(), `tensor "`+c.name+`" holds`) {
			t.Errorf("%s = %v: %v", c.name, c.v, err)
		}
	}
	// f16 weights and q4 scales are checked in their own encoding.
	f16 := writeFile(t, []byte(microConfig), SchemeF16, Options{})
	off := tensorOffset(t, f16, "text_model.head.weight")
	bad := append([]byte(nil), f16...)
	binary.LittleEndian.PutUint16(bad[off+6:], 0x7e00) // f16 NaN, element 3
	if bad, err = Rehash(bad); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bad, testSpecs); err == nil || !strings.Contains(err.Error(), `tensor "text_model.head.weight" holds NaN at element 3`) {
		t.Errorf("f16 NaN: %v", err)
	}
}

// TestVersion1: files written before the header was hashed still load;
// when one is refused, the message says it predates the header hash.
func TestVersion1(t *testing.T) {
	good := writeFile(t, []byte(microConfig), SchemeQ8, Options{})
	v1 := asVersion1(t, good)
	f, err := Open(v1, testSpecs)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 1 {
		t.Fatalf("version %d", f.Version)
	}
	flipped := append([]byte(nil), v1...)
	flipped[len(flipped)-20] ^= 1
	if _, err := Open(flipped, testSpecs); err == nil || !strings.Contains(err.Error(), "payload SHA-256 mismatch") || !strings.Contains(err.Error(), "format version 1, written before the hash covered the header") {
		t.Errorf("corrupt version-1 file: %v", err)
	}
	// A version-2 file whose hash is the placeholder itself is refused.
	g, err := Open(good, testSpecs)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(good)
	i := bytes.Index(good[8:8+n], []byte(g.SHA256))
	zero := append([]byte(nil), good...)
	copy(zero[8+i:], hashPlaceholder)
	if _, err := Open(zero, testSpecs); err == nil || !strings.Contains(err.Error(), "mismatch") {
		t.Errorf("placeholder hash: %v", err)
	}
}

// FuzzOpenHeader mutates a model file's header and re-computes its hash,
// so mutations get past the hash check to the header's other checks:
// go test -run XXX -fuzz FuzzOpenHeader -fuzztime 60s -fuzzminimizetime 2s ./modelfile
func FuzzOpenHeader(f *testing.F) {
	payloads := map[int][]byte{}
	for _, s := range []string{SchemeF32, SchemeF16, SchemeQ8, SchemeQ4} {
		b := writeFile(f, []byte(microConfig), s, Options{})
		n := binary.LittleEndian.Uint64(b)
		payloads[len(payloads)] = b[8+n:]
		f.Add(uint8(len(payloads)-1), b[8:8+n])
	}
	f.Fuzz(func(t *testing.T, which uint8, hdr []byte) {
		data := payloads[int(which)%len(payloads)]
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
		b = append(append(b, hdr...), data...)
		if re, err := Rehash(b); err == nil {
			b = re
		}
		file, err := Open(b, testSpecs)
		if err != nil {
			return
		}
		dst := make([]float32, 1<<12)
		for _, s := range file.Specs() {
			if s.Kind == Float {
				v, err := file.Float32s(s.Name)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range v {
					if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
						t.Fatalf("%s holds %v after Open", s.Name, x)
					}
				}
				continue
			}
			w, err := file.Weight(s.Name)
			if err != nil {
				t.Fatal(err)
			}
			if w.K <= len(dst) {
				w.Row(w.N-1, dst)
			}
		}
	})
}
