// Command build is the project's tooling: `go run ./build VERB [flags]`.
//
// Each verb lives in its own file and registers itself in init(), so that
// serve, bench, wasm and kernels can grow independently.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

type verb struct {
	summary string
	run     func(args []string) error
}

var verbs = map[string]verb{}

func register(name, summary string, run func(args []string) error) {
	verbs[name] = verb{summary, run}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: go run ./build VERB [flags]\n\nverbs:")
	names := make([]string, 0, len(verbs))
	for n := range verbs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, verbs[n].summary)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	v, ok := verbs[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "build: unknown verb %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err := v.run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "build %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

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
