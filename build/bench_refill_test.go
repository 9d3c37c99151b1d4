package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

func writeManifest(t *testing.T, dir string, m onnxManifest) string {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "m.onnx.manifest.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRefillLayoutAndDistinctTensors(t *testing.T) {
	dir := t.TempDir()
	m := onnxManifest{DataFile: "m.onnx.data", Tensors: []manifestTensor{
		{Name: "a", DataType: onnxFloat, Dims: []int64{64, 64}, Offset: 0, Length: 16384},
		{Name: "b", DataType: onnxFloat, Dims: []int64{64, 64}, Offset: 16384, Length: 16384},
		{Name: "q", DataType: onnxUint8, Dims: []int64{100}, Offset: 32768, Length: 100},
		{Name: "pos", DataType: onnxInt64, Dims: []int64{1, 5}, Offset: 36864, Length: 40}, // gap before
	}}
	out, err := refillData(writeManifest(t, dir, m), filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 36864+40 {
		t.Fatalf("data file is %d bytes, want %d", len(data), 36864+40)
	}
	if bytes.Equal(data[:16384], data[16384:32768]) {
		t.Error("tensors a and b were filled identically: onnxruntime could share them")
	}
	for i := 0; i < 4096; i++ {
		f := float32FromLE(data[4*i:])
		if !(f >= -0.05 && f <= 0.05) {
			t.Fatalf("a[%d] = %v, outside [-0.05, 0.05]", i, f)
		}
	}
	if !bytes.Equal(data[32868:36864], make([]byte, 36864-32868)) {
		t.Error("the gap between tensors is not zero")
	}
	for i := 0; i < 5; i++ {
		if got := binary.LittleEndian.Uint64(data[36864+8*i:]); got != uint64(i) {
			t.Errorf("pos[%d] = %d, want %d (position ids)", i, got, i)
		}
	}
	// A second call finds the stamped file and keeps it.
	st1, _ := os.Stat(out)
	if _, err := refillData(filepath.Join(dir, "m.onnx.manifest.json"), filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	if st2, _ := os.Stat(out); !st2.ModTime().Equal(st1.ModTime()) {
		t.Error("an up-to-date data file was rewritten")
	}
}

func float32FromLE(b []byte) float32 {
	var f float32
	binary.Read(bytes.NewReader(b[:4]), binary.LittleEndian, &f)
	return f
}

func TestRefillRejectsBadManifests(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    manifestTensor
		want string
	}{
		{"type", manifestTensor{Name: "x", DataType: 10, Dims: []int64{4}, Length: 8}, "unsupported ONNX data_type 10"},
		{"length", manifestTensor{Name: "x", DataType: onnxFloat, Dims: []int64{4}, Length: 15}, "length 15"},
		{"int64", manifestTensor{Name: "x", DataType: onnxInt64, Dims: []int64{2, 3}, Length: 48}, "position-id"},
	} {
		dir := t.TempDir()
		p := writeManifest(t, dir, onnxManifest{DataFile: "m.data", Tensors: []manifestTensor{tc.t}})
		_, err := refillData(p, dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"x"`) {
			t.Errorf("%s: error %v, want one naming tensor \"x\" and %q", tc.name, err, tc.want)
		}
	}
	dir := t.TempDir()
	p := writeManifest(t, dir, onnxManifest{DataFile: "../evil", Tensors: []manifestTensor{{Name: "x", DataType: onnxFloat, Dims: []int64{1}, Length: 4}}})
	if _, err := refillData(p, dir); err == nil {
		t.Error("a data_file with a path was accepted")
	}
}

// The shipped manifests are all refillable (types, lengths, position ids).
func TestShippedManifestsAreRefillable(t *testing.T) {
	for _, c := range fullCases {
		m, _, err := readManifest(refdata.Path("full/onnx/" + c.manifest + ".manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		if m.DataFile != c.manifest+".data" {
			t.Errorf("%s: data_file %q", c.manifest, m.DataFile)
		}
		for _, ten := range m.Tensors {
			if err := checkTensor(ten); err != nil {
				t.Errorf("%s: %v", c.manifest, err)
			}
		}
	}
}
