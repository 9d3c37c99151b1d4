package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// checkConvertOutput refuses, before any work, an --out that is a
// directory or that is one of the conversion's input files (any file in
// the snapshot directory or the calibration images directory, compared by
// identity, so a symlink or a hard link to model.safetensors counts too):
// a conversion never destroys its input.
func checkConvertOutput(out string, inputDirs ...string) error {
	st, err := os.Stat(out)
	if err != nil {
		return nil // a new file (a missing folder is reported when it is created)
	}
	if st.IsDir() {
		return fmt.Errorf("--out %s is a directory; give the model file's name, e.g. %s", out, filepath.Join(out, "model.siglip"))
	}
	for _, dir := range inputDirs {
		if dir == "" {
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue // the conversion itself reports an unreadable input
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if in, err := os.Stat(p); err == nil && os.SameFile(st, in) {
				return fmt.Errorf("--out %s is the input file %s; write the model file somewhere else", out, p)
			}
		}
	}
	return nil
}

// writeConvertOutput writes out through a temporary file beside it
// (write fills it, verify checks it by path) and renames it into place
// only when both succeed; on every failure the temporary file is removed,
// so an error never leaves a half file or a .tmp behind.
func writeConvertOutput(out string, write func(io.Writer) error, verify func(path string) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return fmt.Errorf("--out %s: %v", out, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err = verify(tmp); err != nil {
		return err
	}
	if err = os.Chmod(tmp, 0o644); err != nil { // CreateTemp makes it 0600
		return err
	}
	return os.Rename(tmp, out)
}
