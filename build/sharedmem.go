package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/siglip-wasm/siglip-wasm/build/wasmshare"
)

// The sharedmem verb rewrites a Go js/wasm binary (or any module with one
// memory) to import a shared memory, env.mem, for the Web Worker kernels
// (see package build/wasmshare and web/threads/).
func init() {
	register("sharedmem", "rewrite a wasm binary to import a shared memory (env.mem) for worker threads", runSharedMem)
}

func runSharedMem(args []string) error {
	fs := flag.NewFlagSet("sharedmem", flag.ContinueOnError)
	maxPages := fs.Uint("max", wasmshare.MaxPages, "maximum memory in 64 KiB pages (shared memories must declare one)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("usage: go run ./build sharedmem [-max pages] IN.wasm OUT.wasm")
	}
	in, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	out, info, err := wasmshare.ShareMemory(in, "env", "mem", uint32(*maxPages))
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	if err := os.WriteFile(fs.Arg(1), out, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: memory imported as env.mem, shared, %d..%d pages\n", fs.Arg(1), info.MinPages, info.MaxPages)
	return nil
}
