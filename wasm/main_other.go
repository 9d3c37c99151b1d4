//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main outside js/wasm only explains itself; the package's pure-Go parts
// (guards, row packing) are tested natively.
func main() {
	fmt.Fprintln(os.Stderr, "wasm: build with GOOS=js GOARCH=wasm (go run ./build wasm)")
	os.Exit(2)
}
