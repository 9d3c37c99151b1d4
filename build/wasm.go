package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func init() {
	register("wasm", "build the GOOS=js module into web/dist/ (siglip.wasm + wasm_exec.js)", runWasm)
}

func runWasm(args []string) error {
	fs := flag.NewFlagSet("wasm", flag.ContinueOnError)
	out := fs.String("o", "web/dist", "output folder")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return buildWasm(*out)
}

// buildWasm compiles ./wasm for js/wasm into dir/siglip.wasm and copies the
// Go release's wasm_exec.js next to it: the two must come from the same Go
// toolchain, so both are (re)made together. The module is written to a
// temporary file first so that a server never sees a half-written one.
func buildWasm(dir string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	tmp := filepath.Join(dir, "siglip.wasm.tmp")
	// -tags simd selects the simd128 kernel calls where kernel/ has them
	// (web/worker.js loads web/kernels/ with them); without such files the
	// tag changes nothing.
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "simd", "-o", tmp, "./wasm")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("go build ./wasm (GOOS=js GOARCH=wasm): %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "siglip.wasm")); err != nil {
		return err
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %w", err)
	}
	src := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js")
	if err := copyFile(src, filepath.Join(dir, "wasm_exec.js")); err != nil {
		return fmt.Errorf("copy wasm_exec.js: %w", err)
	}
	st, _ := os.Stat(filepath.Join(dir, "siglip.wasm"))
	fmt.Fprintf(os.Stderr, "build wasm: %s (%.1f MB) in %v\n", filepath.Join(dir, "siglip.wasm"), float64(st.Size())/1e6, time.Since(start).Round(time.Millisecond))
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
