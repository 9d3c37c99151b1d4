// Package verbs is the one verb registry of the project's two commands,
// `go run ./build VERB` and `siglip VERB`: each verb lives in its own file
// and registers itself in init(), so verbs grow independently, and both
// commands print the same usage and exit the same way.
package verbs

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// Registry maps verb names to their functions.
type Registry struct {
	usage string // "usage: siglip VERB [flags]"
	name  string // prefix of error lines, e.g. "siglip"
	verbs map[string]verb
}

type verb struct {
	summary string
	run     func(args []string) error
}

// New is an empty registry for the command name, whose usage line is usage.
func New(name, usage string) *Registry {
	return &Registry{usage: usage, name: name, verbs: map[string]verb{}}
}

// Register adds a verb; a name registered twice is a programming error.
func (r *Registry) Register(name, summary string, run func(args []string) error) {
	if _, dup := r.verbs[name]; dup {
		panic("verbs: " + name + " registered twice")
	}
	r.verbs[name] = verb{summary, run}
}

// Usage prints the usage line and every verb with its summary, sorted.
func (r *Registry) Usage(w io.Writer) {
	fmt.Fprintf(w, "%s\n\nverbs:\n", r.usage)
	names := make([]string, 0, len(r.verbs))
	for n := range r.verbs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, r.verbs[n].summary)
	}
}

// Run runs the verb args[0] with the rest and returns the exit code: 2
// for a missing or unknown verb (after the usage), 1 when the verb fails
// (its error on stderr, prefixed with the command and verb), 0 otherwise.
func (r *Registry) Run(args []string, stderr io.Writer) int {
	if len(args) < 1 {
		r.Usage(stderr)
		return 2
	}
	v, ok := r.verbs[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown verb %q\n", r.name, args[0])
		r.Usage(stderr)
		return 2
	}
	if err := v.run(args[1:]); err != nil {
		fmt.Fprintf(stderr, "%s %s: %v\n", r.name, args[0], err)
		return 1
	}
	return 0
}

// Main runs os.Args and exits with Run's code.
func (r *Registry) Main() { os.Exit(r.Run(os.Args[1:], os.Stderr)) }
