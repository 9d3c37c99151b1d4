package main

// Our side of `go run ./build bench`: build/bench/ourswasm compiled for
// js/wasm with the simd128 kernels (-tags simd) into build/out/bench/, with
// Go's wasm_exec.js next to it, and the base-256 config.json it builds the
// model from. build/bench/ours.mjs loads them in the page.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

// oursOptions is /bench/ours_options.json, read by ours.mjs.
type oursOptions struct {
	// Profile: after setup, time each stage of the forward pass (model.StageHook)
	// and print it on the page console (forwarded to stderr by run.mjs).
	Profile bool `json:"profile"`
}

// prepareOurs builds ours.wasm into srv.outDir and registers the files the
// page needs. An error here is a broken build, not an unavailable engine.
func prepareOurs(srv *benchServer, root string, opts oursOptions) error {
	if err := os.MkdirAll(srv.outDir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	wasm := filepath.Join(srv.outDir, "ours.wasm")
	build := exec.Command("go", "build", "-tags", "simd", "-trimpath", "-o", wasm, "./build/bench/ourswasm")
	build.Dir = root
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building build/bench/ourswasm for js/wasm: %v\n%s", err, out)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %w", err)
	}
	wexec, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return fmt.Errorf("Go's wasm_exec.js: %w", err)
	}
	srv.virtual["/out/wasm_exec.js"] = wexec
	cfg, err := os.ReadFile(refdata.Path("full/config.json"))
	if err != nil {
		return fmt.Errorf("the base-256 configuration: %w", err)
	}
	srv.virtual["/bench/siglip_config.json"] = cfg
	// transformers' embeddings of the bench's inputs (the first image and
	// text of full/golden.npz, which selectFullCases feeds both sides):
	// ours.mjs checks our output against them.
	gold, err := refdata.LoadNPZ("full/golden.npz")
	if err != nil {
		return fmt.Errorf("loading expected embeddings: %w", err)
	}
	for _, e := range []struct{ key, url string }{
		{"fp32/image_embeds", "/bench/expected_vision.bin"},
		{"fp32/text_embeds", "/bench/expected_text.bin"},
	} {
		a, ok := gold[e.key]
		if !ok || len(a.Shape) != 2 || a.Shape[0] < 1 {
			return fmt.Errorf("full/golden.npz: %s missing or not [N,D] (%v)", e.key, a.Shape)
		}
		srv.virtual[e.url] = f32Bytes(a.F32()[:a.Shape[1]])
	}
	raw, _ := json.Marshal(opts)
	srv.virtual["/bench/ours_options.json"] = raw
	if d := time.Since(start); d > 2*time.Second {
		fmt.Fprintf(os.Stderr, "bench: built ours.wasm in %.1fs\n", d.Seconds())
	}
	return nil
}
