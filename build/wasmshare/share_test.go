package wasmshare

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// buildHello compiles testdata/hello for js/wasm.
func buildHello(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "hello.wasm")
	cmd := exec.Command("go", "build", "-o", out, "./testdata/hello")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// sections lists the section ids of a binary.
func sections(t *testing.T, bin []byte) []byte {
	t.Helper()
	var ids []byte
	for p := 8; p < len(bin); {
		size, n, err := uleb(bin, p+1)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, bin[p])
		p += 1 + n + int(size)
	}
	return ids
}

func TestShareMemoryGoBinary(t *testing.T) {
	bin := buildHello(t)
	out, info, err := ShareMemory(bin, "env", "mem", 0)
	if err != nil {
		t.Fatal(err)
	}
	if info.Imported || info.MinPages == 0 || info.MaxPages != MaxPages {
		t.Fatalf("info = %+v", info)
	}
	if bytes.IndexByte(sections(t, out), secMemory) >= 0 {
		t.Fatal("memory section still there")
	}
	if !bytes.Contains(out, append([]byte{3, 'e', 'n', 'v', 3, 'm', 'e', 'm', 0x02}, sharedLimits(info.MinPages, MaxPages)...)) {
		t.Fatal("no shared env.mem import")
	}
	// Rewriting again: the memory is now imported; only its limits change.
	again, info2, err := ShareMemory(out, "env", "mem", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !info2.Imported || info2.MinPages != info.MinPages || len(again) >= len(out) {
		t.Fatalf("second rewrite: info %+v, %d → %d bytes", info2, len(out), len(again))
	}

	// Node runs the rewritten binary on a shared memory (memory.grow,
	// strings, crypto through web/threads/glue.mjs) and its load-time
	// rewriter (web/threads/sharemem.mjs) gives the same bytes.
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	dir := t.TempDir()
	raw, shared := filepath.Join(dir, "raw.wasm"), filepath.Join(dir, "shared.wasm")
	os.WriteFile(raw, bin, 0o644)
	os.WriteFile(shared, out, 0o644)
	root, _ := filepath.Abs("../../web/threads")
	script := `
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { shareMemory } from '` + root + `/sharemem.mjs';
import { patchGlueForSharedMemory } from '` + root + `/glue.mjs';
const require = createRequire(import.meta.url);
globalThis.require = require; globalThis.fs = require('fs'); globalThis.path = require('path');
require(process.argv[4]);
patchGlueForSharedMemory();
const r = shareMemory(readFileSync(process.argv[2]));
if (Buffer.compare(Buffer.from(r.bytes), readFileSync(process.argv[3])) !== 0) throw new Error('JS and Go rewrites differ');
const mem = new WebAssembly.Memory({ initial: r.minPages, maximum: r.maxPages, shared: true });
const go = new Go();
go.importObject.env = { mem };
const { instance } = await WebAssembly.instantiate(r.bytes, go.importObject);
if (instance.exports.mem !== mem) throw new Error('Go does not export the host memory');
await go.run(instance);
console.log('pages', mem.buffer.byteLength / 65536, mem.buffer instanceof SharedArrayBuffer);
`
	sf := filepath.Join(dir, "run.mjs")
	os.WriteFile(sf, []byte(script), 0o644)
	cmd := exec.Command(node, sf, raw, shared, filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"))
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, b)
	}
	if !strings.Contains(string(b), "go: héllo, shared wörld true 20") || !strings.Contains(string(b), " true\n") {
		t.Fatalf("unexpected output:\n%s", b)
	}
	t.Logf("%s", b)
}

func TestShareMemoryErrors(t *testing.T) {
	hdr := append([]byte{}, magic...)
	mem := func(limits ...byte) []byte {
		body := append([]byte{1}, limits...)
		return append(append(append([]byte{}, hdr...), secMemory, byte(len(body))), body...)
	}
	cases := map[string][]byte{
		"not a WebAssembly binary": []byte("hello world"),
		"has no memory":            hdr,
		"runs past the end":        append(append([]byte{}, hdr...), 1, 50, 0),
		"above the maximum":        mem(0x00, 0x80, 0x04), // min 512 > max 100
		"unsupported limits flag":  mem(0x04, 1),
	}
	for want, bin := range cases {
		_, _, err := ShareMemory(bin, "env", "mem", 100)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v", want, err)
		}
	}
	// A minimal module: one memory, min 1, no imports → one import, no memory.
	out, info, err := ShareMemory(mem(0x00, 1), "env", "mem", 100)
	if err != nil || info.MinPages != 1 {
		t.Fatalf("minimal: %v %+v", err, info)
	}
	want := append(append([]byte{}, hdr...), secImport, 13, 1, 3, 'e', 'n', 'v', 3, 'm', 'e', 'm', 0x02, 0x03, 1, 100)
	if !bytes.Equal(out, want) {
		t.Fatalf("minimal: got % x\nwant % x", out, want)
	}
}
