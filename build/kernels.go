package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func init() {
	register("kernels", "assemble web/kernels/*.wat into .wasm (--check: fail if the committed .wasm is stale)", runKernels)
}

// wat2wasmJS assembles one .wat (argv[1]) with wabt's JS API and writes the
// binary to stdout. It runs with build/ as the working directory so that
// require('wabt') finds build/node_modules.
const wat2wasmJS = `
const fs = require('fs');
require('wabt')().then((wabt) => {
  const src = process.argv[1];
  const mod = wabt.parseWat(src, fs.readFileSync(src, 'utf8'), { simd: true, relaxed_simd: true });
  mod.resolveNames();
  mod.validate();
  const { buffer } = mod.toBinary({ log: false, write_debug_names: false });
  process.stdout.write(Buffer.from(buffer));
}).catch((e) => { console.error(String(e && e.message || e)); process.exit(1); });
`

func runKernels(args []string) error {
	fs := flag.NewFlagSet("kernels", flag.ContinueOnError)
	check := fs.Bool("check", false, "do not write; fail if a committed .wasm differs from a fresh assembly")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	srcs, err := filepath.Glob(filepath.Join(root, "web", "kernels", "*.wat"))
	if err != nil {
		return err
	}
	if len(srcs) == 0 {
		return errors.New("no web/kernels/*.wat found")
	}
	var stale []string
	for _, src := range srcs {
		bin, err := assembleWat(root, src)
		if err != nil {
			return err
		}
		out := strings.TrimSuffix(src, ".wat") + ".wasm"
		rel, _ := filepath.Rel(root, out)
		if *check {
			old, err := os.ReadFile(out)
			if err != nil {
				stale = append(stale, rel+" (missing)")
			} else if !bytes.Equal(old, bin) {
				stale = append(stale, rel)
			}
			continue
		}
		if err := os.WriteFile(out, bin, 0o644); err != nil {
			return err
		}
		fmt.Printf("wrote %s (%d bytes)\n", rel, len(bin))
	}
	if len(stale) > 0 {
		return fmt.Errorf("stale assembled kernels, run `go run ./build kernels` and commit: %s", strings.Join(stale, ", "))
	}
	if *check {
		fmt.Printf("kernels: %d module(s) up to date\n", len(srcs))
	}
	return nil
}

// assembleWat runs wabt (npm, build/node_modules) on one source file.
func assembleWat(root, src string) ([]byte, error) {
	cmd := exec.Command("node", "-e", wat2wasmJS, src)
	cmd.Dir = filepath.Join(root, "build")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "Cannot find module 'wabt'") {
			msg = "wabt is not installed: run build/setup.sh (npm ci in build/)"
		}
		return nil, fmt.Errorf("assembling %s: %v: %s", filepath.Base(src), err, msg)
	}
	if stdout.Len() < 8 || !bytes.HasPrefix(stdout.Bytes(), []byte("\x00asm")) {
		return nil, fmt.Errorf("assembling %s: wabt produced no module", filepath.Base(src))
	}
	return stdout.Bytes(), nil
}
