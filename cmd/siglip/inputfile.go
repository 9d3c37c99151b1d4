package main

import (
	"fmt"
	"io"
	"os"
)

// Upper bounds on what the command line reads into memory, by kind of
// file, so a device (/dev/zero), a pipe or a wrong path never reads until
// memory runs out (images: maxImageFileBytes, classify_model.go). "-"
// means stdin wherever a file is read with readInput.
const (
	maxModelFileBytes  = 16 << 30  // a model file or checkpoint (SigLIP so400m f32 is 3.5 GB)
	maxSideFileBytes   = 256 << 20 // config.json, spiece.model, tokenizer.json
	maxLabelsFileBytes = 16 << 20  // --labels-file, one label a line
)

// readInput reads path (what names it in errors, e.g. "--image"), refusing
// more than max bytes: a regular file by its size before reading, anything
// else (stdin, a pipe, a device) by a bounded read.
func readInput(path, what string, max int64) ([]byte, error) {
	var f *os.File
	if path == "-" {
		f = os.Stdin
	} else {
		var err error
		if f, err = os.Open(path); err != nil {
			return nil, err
		}
		defer f.Close()
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s %s is a directory, not a file", what, path)
	}
	if st.Mode().IsRegular() && st.Size() > max {
		return nil, fmt.Errorf("%s %s is %d bytes; at most %d are read", what, path, st.Size(), max)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v", what, path, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s %s gives more than %d bytes (a device or an endless stream?); stopped reading", what, path, max)
	}
	return b, nil
}
