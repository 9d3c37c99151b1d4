package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copySnapshot copies the demo snapshot into a temporary directory, so a
// test may try to overwrite its files.
func copySnapshot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(demoDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(demoDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var tmp []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			tmp = append(tmp, e.Name())
		}
	}
	return tmp
}

// TestConvertOutputChecks: issue 14 row 6. Before, --out EXISTING_DIR
// failed after writing and left DIR.tmp behind, and --out
// SNAPSHOT/model.safetensors silently overwrote the input checkpoint.
func TestConvertOutputChecks(t *testing.T) {
	snap := copySnapshot(t)
	ckpt := filepath.Join(snap, "model.safetensors")
	before, _ := os.ReadFile(ckpt)
	outDir := t.TempDir()
	err := runConvert([]string{"--in", snap, "--out", outDir, "--quant", "q8"})
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("--out DIR: %v", err)
	}
	if l := leftovers(t, filepath.Dir(outDir)); len(l) > 0 {
		t.Errorf("--out DIR left %v", l)
	}
	for _, out := range []string{ckpt, filepath.Join(snap, "config.json")} {
		err = runConvert([]string{"--in", snap, "--out", out, "--quant", "q8"})
		if err == nil || !strings.Contains(err.Error(), "is the input file") {
			t.Errorf("--out %s: %v", out, err)
		}
	}
	link := filepath.Join(t.TempDir(), "link.siglip")
	if err := os.Symlink(ckpt, link); err == nil {
		if err := runConvert([]string{"--in", snap, "--out", link, "--quant", "q8"}); err == nil || !strings.Contains(err.Error(), "is the input file") {
			t.Errorf("--out a symlink to the checkpoint: %v", err)
		}
	}
	if after, _ := os.ReadFile(ckpt); !bytes.Equal(before, after) {
		t.Fatal("the input checkpoint was changed")
	}
	if l := leftovers(t, snap); len(l) > 0 {
		t.Errorf("left %v in the snapshot", l)
	}
	// A new file inside the snapshot directory is fine.
	if err := runConvert([]string{"--in", snap, "--out", filepath.Join(snap, "demo.siglip"), "--quant", "q8", "--quiet"}); err != nil {
		t.Errorf("--out a new file in the snapshot: %v", err)
	}
}

// TestConvertNoTempLeft: every failure of the write, the read-back or the
// rename removes the temporary file.
func TestConvertNoTempLeft(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "m.siglip")
	boom := errors.New("boom")
	ok := func(string) error { return nil }
	for name, c := range map[string]struct {
		write  func(io.Writer) error
		verify func(string) error
	}{
		"write":  {func(w io.Writer) error { w.Write([]byte("half")); return boom }, ok},
		"verify": {func(w io.Writer) error { _, err := w.Write([]byte("x")); return err }, func(string) error { return boom }},
	} {
		if err := writeConvertOutput(out, c.write, c.verify); !errors.Is(err, boom) {
			t.Errorf("%s: %v", name, err)
		}
		if l := leftovers(t, dir); len(l) > 0 {
			t.Errorf("%s: left %v", name, l)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: %s exists after a failure", name, out)
		}
	}
	// The rename fails: out became a directory after the check.
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeConvertOutput(out, func(w io.Writer) error { _, err := w.Write([]byte("x")); return err }, ok); err == nil {
		t.Error("rename over a directory succeeded")
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("rename failure left %v", l)
	}
	// A missing folder is named.
	err := writeConvertOutput(filepath.Join(dir, "no", "such", "m.siglip"), nil, ok)
	if err == nil || !strings.Contains(err.Error(), "--out") {
		t.Errorf("missing folder: %v", err)
	}
	// Success: the file is there, readable by others, and no temp remains.
	out2 := filepath.Join(dir, "ok.siglip")
	if err := writeConvertOutput(out2, func(w io.Writer) error { _, err := w.Write([]byte("ok")); return err }, ok); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(out2); err != nil || st.Mode().Perm() != 0o644 || len(leftovers(t, dir)) > 0 {
		t.Errorf("success: %v %v %v", st, err, leftovers(t, dir))
	}
}
