// Command siglip is the native command-line tool: `go run ./cmd/siglip VERB [flags]`.
//
// Each verb lives in its own file and registers itself in init() with
// register (the registry is internal/verbs, shared with `go run ./build`),
// so that the verbs grow independently. Results go to stdout as JSON;
// errors to stderr with a non-zero exit.
package main

import "github.com/siglip-wasm/siglip-wasm/internal/verbs"

var registry = verbs.New("siglip", "usage: siglip VERB [flags]")

func register(name, summary string, run func(args []string) error) {
	registry.Register(name, summary, run)
}

func main() { registry.Main() }
