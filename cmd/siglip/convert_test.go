package main

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
)

const demoDir = "../../testdata/demo/model"

// TestConvertReproducible converts the demo checkpoint twice per scheme and
// requires identical bytes that open as a model file.
func TestConvertReproducible(t *testing.T) {
	tmp := t.TempDir()
	for _, scheme := range []string{"q8", "q4", "f16", "f32"} {
		a, b := filepath.Join(tmp, scheme+"-a"), filepath.Join(tmp, scheme+"-b")
		if err := runConvert([]string{"--in", demoDir, "--out", a, "--quant", scheme}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := convertDir(demoDir, b, scheme, modelfile.Options{}, q4Options{}); err != nil {
			t.Fatal(err)
		}
		ab, _ := os.ReadFile(a)
		bb, _ := os.ReadFile(b)
		if len(ab) == 0 || !bytes.Equal(ab, bb) {
			t.Fatalf("%s: two conversions differ (%d vs %d bytes)", scheme, len(ab), len(bb))
		}
		f, err := weights.Open(ab)
		if err != nil {
			t.Fatal(err)
		}
		tok, kind := f.Tokenizer()
		want, _ := os.ReadFile(filepath.Join(demoDir, "spiece.model"))
		if f.Scheme() != scheme || kind != modelfile.TokenizerSentencePiece || !bytes.Equal(tok, want) {
			t.Fatalf("%s: scheme %q tokenizer %q", scheme, f.Scheme(), kind)
		}
		t.Logf("demo %s: %d bytes", scheme, len(ab))
	}
}

// serveHub serves dir as the Hub repository repo (main revision) on a
// local server, for the test's HF_ENDPOINT, with an empty cache.
func serveHub(t *testing.T, repo, dir string) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/"+repo+"/resolve/main/")
		if !ok || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(dir, name))
	}))
	t.Cleanup(srv.Close)
	t.Setenv("HF_ENDPOINT", srv.URL)
	t.Setenv("SIGLIP_CACHE", t.TempDir())
}

func TestConvertFromHub(t *testing.T) {
	serveHub(t, "test/demo", demoDir)
	out := filepath.Join(t.TempDir(), "m.siglip")
	if err := runConvert([]string{"--in", "hf:test/demo", "--out", out, "--quant", "q4"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if _, err := weights.Open(b); err != nil {
		t.Fatal(err)
	}
}

// TestConvertQ4Methods: q4 is GPTQ-calibrated by default (with extra
// calibration images when given), round to nearest on request, and the
// file says which.
func TestConvertQ4Methods(t *testing.T) {
	tmp := t.TempDir()
	files := map[string][]byte{}
	for name, args := range map[string][]string{
		"gptq":        nil,
		"gptq+images": {"--calib-images", "../../testdata/demo/samples"},
		"rtn":         {"--q4-method", "rtn"},
	} {
		out := filepath.Join(tmp, name)
		if err := runConvert(append([]string{"--in", demoDir, "--out", out, "--quant", "q4", "--quiet"}, args...)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		f, err := weights.Open(b)
		if err != nil {
			t.Fatal(err)
		}
		if want, _, _ := strings.Cut(name, "+"); f.Q4Method != want {
			t.Errorf("%s: q4_method %q", name, f.Q4Method)
		}
		files[name] = b
	}
	if bytes.Equal(files["gptq"], files["rtn"]) || bytes.Equal(files["gptq"], files["gptq+images"]) {
		t.Error("the q4 methods (or the extra calibration images) made no difference")
	}
	// Same layout: the data sections are the same size (the headers may
	// differ by the 8-byte padding of "gptq" vs "rtn").
	data := func(b []byte) int { return len(b) - 8 - int(binary.LittleEndian.Uint64(b)) }
	if data(files["gptq"]) != data(files["rtn"]) {
		t.Errorf("gptq and rtn files differ in data size: %d vs %d", data(files["gptq"]), data(files["rtn"]))
	}
}

func TestConvertErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", out}, "usage"},
		{[]string{"--in", t.TempDir(), "--out", out}, "config.json"},
		{[]string{"--in", demoDir, "--out", out, "--quant", "q3"}, "q3"},
		{[]string{"--in", demoDir, "--out", out, "--quant", "q4", "--q4-method", "awq"}, "awq"},
		{[]string{"--in", demoDir, "--out", out, "--quant", "q8", "--calib-images", t.TempDir()}, "q4"},
		{[]string{"--in", demoDir, "--out", out, "--quant", "q4", "--calib-images", "../../testdata/images/meta.json", "--quiet"}, "meta.json"},
		{[]string{"--in", demoDir, "--out", out, "--quant", "q4", "--calib-images", "../../testdata/tokenizer", "--quiet"}, "calibration image"},
	} {
		err := runConvert(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.args, err, c.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a failed conversion left a file")
	}
}

// TestCommittedDemoModel: web/models/demo-q8.siglip (the page's default
// model) must be exactly what this converter makes of testdata/demo/model.
// Regenerate with:
//
//	go run ./cmd/siglip convert --in testdata/demo/model --out web/models/demo-q8.siglip --quant q8
func TestCommittedDemoModel(t *testing.T) {
	committed, err := os.ReadFile("../../web/models/demo-q8.siglip")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "demo-q8.siglip")
	if _, _, err := convertDir(demoDir, out, "q8", modelfile.Options{}, q4Options{}); err != nil {
		t.Fatal(err)
	}
	fresh, _ := os.ReadFile(out)
	if !bytes.Equal(committed, fresh) {
		t.Fatalf("web/models/demo-q8.siglip (%d bytes) differs from a fresh conversion (%d bytes); regenerate it", len(committed), len(fresh))
	}
}
