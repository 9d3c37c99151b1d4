package main

import (
	"strings"
	"testing"
	"time"
)

// TestIndexArgs: shard specs, flag mistakes and the progress line.
func TestIndexArgs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want shardSpec
		ok   bool
	}{{"", shardSpec{0, 1}, true}, {"0/4", shardSpec{0, 4}, true}, {"3/4", shardSpec{3, 4}, true},
		{"4/4", shardSpec{}, false}, {"-1/4", shardSpec{}, false}, {"1", shardSpec{}, false}, {"a/b", shardSpec{}, false}, {"0/0", shardSpec{}, false}} {
		got, err := parseShard(c.in)
		if (err == nil) != c.ok || c.ok && got != c.want {
			t.Errorf("parseShard(%q) = %v, %v", c.in, got, err)
		}
	}
	// Every path is in exactly one of N shards.
	for _, p := range []string{"a.jpg", "photos/2024/x.png", "日本.webp"} {
		n := 0
		for i := 0; i < 5; i++ {
			if (shardSpec{i, 5}).owns(p) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s is in %d of 5 shards", p, n)
		}
	}
	for _, args := range [][]string{
		{"--model", "m.siglip", "dir"},                     // no --out
		{"--model", "m.siglip", "--out", "x.idx"},          // no folder
		{"--merge", "--out", "x.idx"},                      // nothing to merge
		{"--merge", "--model", "m", "--out", "x.idx", "a"}, // merge takes no model
		{"--model", "m", "--out", "x.idx", "--shard", "2/2", "dir"},
		{"--model", "m", "--out", "x.idx", "--jobs", "0", "dir"},
	} {
		if err := runIndexQuiet(args); err == nil {
			t.Errorf("index %q: no error", args)
		}
	}
	b := &progressBar{total: 200, start: time.Now().Add(-10 * time.Second)}
	line := b.line(50, 3)
	for _, want := range []string{"50/200", "5.0 images/s", "ETA 30s", "3 skipped"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}
}
