// Command build is the project's tooling: `go run ./build VERB [flags]`.
//
// Each verb lives in its own file and registers itself in init() with
// register (the registry is internal/verbs, shared with cmd/siglip), so
// that serve, bench, wasm and kernels can grow independently.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/siglip-wasm/siglip-wasm/internal/verbs"
)

// registry is the verb registry shared with cmd/siglip (internal/verbs).
var registry = verbs.New("build", "usage: go run ./build VERB [flags]")

func register(name, summary string, run func(args []string) error) {
	registry.Register(name, summary, run)
}

func main() { registry.Main() }

// repoRoot finds the module root (the folder holding go.mod) from the
// working directory up, so every verb works from any sub-folder.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s: run from inside the repository", dir)
		}
	}
}
