package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClassify: the demo model ranks each sample's true label first, the
// JSON lines come in the order the images were given with labels best first,
// and the table shows every label; a bad file is reported and the others
// still classified.
func TestClassify(t *testing.T) {
	mp := demoModel(t)
	samples, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "demo", "samples", "sample_0[0-4]_*.png"))
	if len(samples) != 5 {
		t.Fatalf("%d samples", len(samples))
	}
	truth := func(p string) string { // sample_00_small_black_ring_on_blue.png → black ring
		f := strings.Split(strings.TrimSuffix(filepath.Base(p), ".png"), "_")
		return f[3] + " " + f[4]
	}
	seen := map[string]bool{}
	var labels []string
	for _, p := range samples {
		if l := truth(p); !seen[l] {
			seen[l] = true
			labels = append(labels, l)
		}
	}
	labels = append(labels, "green diamond", "white circle")
	var b bytes.Buffer
	classifyOut = &b
	defer func() { classifyOut = os.Stdout }()
	args := []string{"--model", mp, "--labels", strings.Join(labels, ","), "--template", "a photo of a {}", "--json"}
	if err := runClassify(append(args, samples...)); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&b)
	for i := 0; dec.More(); i++ {
		var r struct {
			Image  string
			Labels []scoredLabel
		}
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		if r.Image != samples[i] {
			t.Fatalf("line %d is %s, want %s", i, r.Image, samples[i])
		}
		if len(r.Labels) != len(labels) {
			t.Fatalf("%s: %d labels", r.Image, len(r.Labels))
		}
		for j := 1; j < len(r.Labels); j++ {
			if r.Labels[j].Logit > r.Labels[j-1].Logit || r.Labels[j].Score > r.Labels[j-1].Score {
				t.Fatalf("%s: labels not best first: %+v", r.Image, r.Labels)
			}
		}
		if r.Labels[0].Label != truth(r.Image) {
			t.Errorf("%s: ranked %q first (%.3f)", r.Image, r.Labels[0].Label, r.Labels[0].Score)
		}
	}
	b.Reset()
	bad := filepath.Join(t.TempDir(), "broken.png")
	os.WriteFile(bad, []byte("\x89PNG broken"), 0o644)
	err := runClassify([]string{"--model", mp, "--labels", strings.Join(labels, ","), "--top", "2", samples[0], bad})
	if err == nil || !strings.Contains(err.Error(), "1 of 2") {
		t.Errorf("a broken image: err = %v", err)
	}
	table := b.String()
	if !strings.Contains(table, samples[0]) || strings.Count(table, "\n") != 3 || !strings.Contains(table, truth(samples[0])) {
		t.Errorf("table output:\n%s", table)
	}
	for _, bad := range [][]string{
		{"--model", mp, samples[0]}, // no labels
		{"--model", mp, "--labels", "a,b", "--labels-file", "x", samples[0]}, // both
		{"--model", mp, "--labels", "a,a", samples[0]},                       // twice
		{"--model", mp, "--labels", "a", "--template", "no slot", samples[0]},
		{"--model", mp, "--labels", "a"}, // no image
		{"--model", "../../testdata/jpeg/manifest.json", "--labels", "a", samples[0]},
	} {
		if err := runClassify(bad); err == nil {
			t.Errorf("classify %q: no error", bad)
		}
	}
}
