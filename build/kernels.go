package main

import (
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

func init() {
	register("kernels", "assemble web/kernels/*.wat (their @includes of *.wat.in expanded) into .wasm (--check: fail if the committed .wasm is stale)", runKernels)
}

// wat2wasmJS assembles WebAssembly text read from stdin (named argv[1] in
// messages) with wabt's JS API and writes the binary to stdout. It runs
// with build/ as the working directory so that require('wabt') finds
// build/node_modules.
const wat2wasmJS = `
const fs = require('fs');
require('wabt')().then((wabt) => {
  const src = process.argv[1];
  const mod = wabt.parseWat(src, fs.readFileSync(0, 'utf8'), { simd: true, relaxed_simd: true });
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

// includeMarker is the line by which a module takes in a shared source
// (web/kernels/*.wat.in).
var includeMarker = regexp.MustCompile(`(?m)^[ \t]*;; @include ([\w.]+\.wat\.in)[ \t]*$`)

// maddSite is the shared f32 GEMM's one varying step, c + a·b, written
// (@madd a b c) in gemm_f32.wat.in over three locals.
var maddSite = regexp.MustCompile(`\(@madd (\(local\.get \$\w+\)) (\(local\.get \$\w+\)) (\(local\.get \$\w+\))\)`)

// expandWat returns a module's text with its includes in place: the shared
// helpers and f32 GEMM (gemm_f32.wat.in), with (@madd a b c) as a plain
// multiply and add in simd.wat and as relaxed SIMD's fused
// f32x4.relaxed_madd in simd_relaxed.wat. The modules are otherwise
// written by hand.
func expandWat(src string) (string, error) {
	text, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	fused := filepath.Base(src) == "simd_relaxed.wat"
	var firstErr error
	out := includeMarker.ReplaceAllStringFunc(string(text), func(line string) string {
		name := includeMarker.FindStringSubmatch(line)[1]
		inc, err := os.ReadFile(filepath.Join(filepath.Dir(src), name))
		if err != nil {
			firstErr = cmp.Or(firstErr, fmt.Errorf("%s: including %s: %w", filepath.Base(src), name, err))
			return line
		}
		return maddSite.ReplaceAllStringFunc(string(inc), func(site string) string {
			m := maddSite.FindStringSubmatch(site)
			if fused {
				return fmt.Sprintf("(f32x4.relaxed_madd %s %s %s)", m[1], m[2], m[3])
			}
			return fmt.Sprintf("(f32x4.add %s (f32x4.mul %s %s))", m[3], m[1], m[2])
		})
	})
	if firstErr != nil {
		return "", firstErr
	}
	if strings.Contains(out, "(@madd (") || includeMarker.MatchString(out) {
		return "", fmt.Errorf("%s: an @madd or @include was left unexpanded (not of the form the generator knows)", filepath.Base(src))
	}
	return out, nil
}

// assembleWat runs wabt (npm, build/node_modules) on one module, its
// includes expanded (expandWat).
func assembleWat(root, src string) ([]byte, error) {
	text, err := expandWat(src)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", "-e", wat2wasmJS, src)
	cmd.Dir = filepath.Join(root, "build")
	cmd.Stdin = strings.NewReader(text)
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
