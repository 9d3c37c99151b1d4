package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// prepareOurs builds our side of the benchmark (build/bench/ours, GOOS=js
// with the simd128 kernel calls) into the served /out/ folder with Go's
// wasm_exec.js, and serves the base-256 config the towers are built from
// as /bench/full_config.json. build/bench/ours.mjs reports ours_ms=n/a
// when /out/ours.wasm is missing.
func prepareOurs(srv *benchServer, root string) error {
	if err := os.MkdirAll(srv.outDir, 0o755); err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "simd", "-o", filepath.Join(srv.outDir, "ours.wasm"), "./build/bench/ours")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building build/bench/ours: %v\n%s", err, out)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %v", err)
	}
	glue, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(srv.outDir, "wasm_exec.js"), glue, 0o644); err != nil {
		return err
	}
	cfg, err := os.ReadFile(filepath.Join(root, "testdata", "full", "config.json"))
	if err != nil {
		return err
	}
	srv.virtual["/bench/full_config.json"] = cfg
	return nil
}
