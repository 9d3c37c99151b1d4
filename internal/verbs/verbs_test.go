package verbs

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	r := New("tool", "usage: tool VERB")
	var got []string
	r.Register("b", "the b verb", func(a []string) error { got = a; return nil })
	r.Register("a", "fails", func([]string) error { return errors.New("broken") })
	var e bytes.Buffer
	if c := r.Run([]string{"b", "x", "y"}, &e); c != 0 || strings.Join(got, ",") != "x,y" {
		t.Fatalf("b: code %d args %v", c, got)
	}
	if c := r.Run([]string{"a"}, &e); c != 1 || !strings.Contains(e.String(), "tool a: broken") {
		t.Fatalf("a: code %d, %q", c, e.String())
	}
	e.Reset()
	if c := r.Run([]string{"zzz"}, &e); c != 2 || !strings.Contains(e.String(), `unknown verb "zzz"`) ||
		strings.Index(e.String(), "  a ") > strings.Index(e.String(), "  b ") {
		t.Fatalf("unknown: code %d, %q", c, e.String())
	}
	if c := r.Run(nil, &e); c != 2 {
		t.Fatalf("no verb: code %d", c)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a duplicate verb was accepted")
		}
	}()
	r.Register("a", "again", nil)
}
