package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siglip-wasm/siglip-wasm/shapes"
)

// demoModel is the 6.9 MB demo model the page ships (trained on shapes).
func demoModel(t testing.TB) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "web", "models", "demo-q8.siglip"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Skipf("demo model: %v", err)
	}
	return p
}

// shapeLibrary draws n demo-style pictures (package shapes) into files under
// a fresh folder, in 7 sub-folders: JPEG (q92, Go's encoder, 4:2:0) like a
// photo library, every tenth a PNG (stored uncompressed: encoding noisy PNGs
// costs more than embedding them). It returns the folder and each file's
// sample, by path.
func shapeLibrary(t *testing.T, n int) (string, map[string]shapes.Sample) {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(16, uint64(n)))
	samples := shapes.Render(rng, n, 128, true)
	paths := make([]string, n)
	for i, s := range samples {
		sub := filepath.Join(dir, fmt.Sprintf("roll%02d", i%7))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		ext := ".jpg"
		if i%10 == 9 {
			ext = ".png"
		}
		paths[i] = filepath.Join(sub, fmt.Sprintf("img%04d_%s_%s%s", i, s.Colour, s.Shape, ext))
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Go(func() {
			for i := w; i < n; i += runtime.GOMAXPROCS(0) {
				s := samples[i]
				img := image.NewNRGBA(image.Rect(0, 0, s.W, s.H))
				for j := 0; j < s.W*s.H; j++ {
					copy(img.Pix[4*j:], s.Pix[3*j:3*j+3])
					img.Pix[4*j+3] = 255
				}
				var b bytes.Buffer
				if strings.HasSuffix(paths[i], ".png") {
					errs[i] = (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&b, img)
				} else {
					errs[i] = jpeg.Encode(&b, img, &jpeg.Options{Quality: 92})
				}
				if errs[i] == nil {
					errs[i] = os.WriteFile(paths[i], b.Bytes(), 0o644)
				}
			}
		})
	}
	wg.Wait()
	out := map[string]shapes.Sample{}
	for i, p := range paths {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		out[p] = samples[i]
	}
	return dir, out
}

// readIndexEntries returns an index's entries in file order.
func readIndexEntries(t *testing.T, path string) (indexHeader, []string) {
	t.Helper()
	var lines []string
	h, err := forEachEntry(path, func(_ indexHeader, img string, emb []float32) error {
		lines = append(lines, img+" "+encodeEmbedding(emb))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, lines
}

// TestIndexResume: 1,000 drawn images; a run cancelled after 500 are written
// and then resumed gives the same file, byte for byte, as a run that was never
// interrupted, and the resumed run embeds only the rest.
func TestIndexResume(t *testing.T) {
	const n = 1000
	mp := demoModel(t)
	t0 := time.Now()
	dir, lib := shapeLibrary(t, n)
	// A file that is not an image, and a corrupt "image": skipped with a message.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o644)
	os.WriteFile(filepath.Join(dir, "roll00", "broken.jpg"), []byte("\xff\xd8\xff\xe0 broken"), 0o644)
	tDraw := time.Since(t0)
	a, err := openAppModel(mp)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	full, part := filepath.Join(out, "full.idx"), filepath.Join(out, "part.idx")
	var msgs bytes.Buffer
	jobs := runtime.GOMAXPROCS(0)

	t1 := time.Now()
	st, err := buildIndex(context.Background(), a, indexJob{out: full, dirs: []string{dir}, jobs: jobs, progress: &msgs})
	if err != nil {
		t.Fatal(err)
	}
	tFull := time.Since(t1)
	if st.added != n || st.skipped != 1 {
		t.Fatalf("uninterrupted run: %+v, want %d added, 1 skipped", st, n)
	}
	if !strings.Contains(msgs.String(), "broken.jpg") {
		t.Errorf("no message for the corrupt file; stderr:\n%s", msgs.String())
	}

	// Interrupted: cancel the context once 500 entries are on disk.
	ctx, cancel := context.WithCancel(context.Background())
	_, err = buildIndex(ctx, a, indexJob{out: part, dirs: []string{dir}, jobs: jobs, progress: io.Discard,
		afterWrite: func(w int) {
			if w == n/2 {
				cancel()
			}
		}})
	if err == nil || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("interrupted run: err = %v, want an interruption message", err)
	}
	_, half := readIndexEntries(t, part)
	if len(half) < n/2 || len(half) >= n {
		t.Fatalf("interrupted index holds %d entries, want from %d to %d", len(half), n/2, n-1)
	}
	// A kill mid-write leaves half a line: resume must cut it off.
	fh, _ := os.OpenFile(part, os.O_WRONLY|os.O_APPEND, 0)
	fh.WriteString(`{"image":"` + dir + `/roll01/img0001`)
	fh.Close()

	st2, err := buildIndex(context.Background(), a, indexJob{out: part, dirs: []string{dir}, jobs: jobs, progress: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if st2.kept != len(half) || st2.added != n-len(half) {
		t.Errorf("resumed run: %+v, want %d kept and %d embedded", st2, len(half), n-len(half))
	}
	a1, _ := os.ReadFile(full)
	a2, _ := os.ReadFile(part)
	if !bytes.Equal(a1, a2) {
		t.Fatalf("resumed index (%d bytes) differs from the uninterrupted one (%d bytes)", len(a2), len(a1))
	}
	h, entries := readIndexEntries(t, full)
	if len(entries) != n || h.ModelSHA256 != a.sha256 {
		t.Fatalf("index has %d entries, model %s", len(entries), h.ModelSHA256)
	}
	for _, e := range entries {
		if _, ok := lib[strings.Fields(e)[0]]; !ok {
			t.Fatalf("index lists %q, not one of the drawn images", strings.Fields(e)[0])
		}
	}
	t.Logf("%d images: drawing %v, index %v (%.0f images/s on %d jobs), interrupted+resumed identical",
		n, tDraw.Round(time.Millisecond), tFull.Round(time.Millisecond), float64(n)/tFull.Seconds(), jobs)

	// An index made with another model (its header says so) is refused.
	bad := filepath.Join(out, "bad.idx")
	hb := h
	hb.ModelSHA256 = strings.Repeat("0", 64)
	os.WriteFile(bad, hb.line(), 0o644)
	if _, err := buildIndex(context.Background(), a, indexJob{out: bad, dirs: []string{dir}, jobs: 1, progress: io.Discard}); err == nil || !strings.Contains(err.Error(), "another model") {
		t.Errorf("resuming the index of another model: err = %v", err)
	}
	if err := runSearch([]string{"--index", bad, "a red square"}); err == nil || !strings.Contains(err.Error(), "not the model") {
		t.Errorf("searching the index of another model: err = %v", err)
	}

	t.Run("search", func(t *testing.T) { checkSearch(t, full, lib) })
	t.Run("tag", func(t *testing.T) { checkTag(t, full, lib) })
}

// TestIndexShards: three shards of a small library cover it once and merge
// into the unsharded index (same entries, same order); a shard merged with
// itself is refused.
func TestIndexShards(t *testing.T) {
	mp := demoModel(t)
	dir, _ := shapeLibrary(t, 60)
	out := t.TempDir()
	full := filepath.Join(out, "full.idx")
	if err := runIndexQuiet([]string{"--model", mp, "--out", full, dir}); err != nil {
		t.Fatal(err)
	}
	checkShards(t, mp, dir, full, out)
}

// checkSearch: "a red square" ranks a red square first, and the JSON has the
// issue's shape.
func checkSearch(t *testing.T, idx string, lib map[string]shapes.Sample) {
	var b bytes.Buffer
	searchOut = &b
	defer func() { searchOut = os.Stdout }()
	if err := runSearch([]string{"--index", idx, "a red square", "--top", "5", "--json"}); err != nil {
		t.Fatal(err)
	}
	var res []struct {
		Image string
		Score float64
	}
	if err := json.Unmarshal(b.Bytes(), &res); err != nil {
		t.Fatalf("%v: %s", err, b.String())
	}
	if len(res) != 5 {
		t.Fatalf("%d results, want 5", len(res))
	}
	for i, r := range res {
		s := lib[r.Image]
		t.Logf("%d: %.4f %s %s", i, r.Score, s.Colour, s.Shape)
		if i > 0 && r.Score > res[i-1].Score {
			t.Errorf("results not sorted by score")
		}
	}
	if s := lib[res[0].Image]; s.Colour != "red" || s.Shape != "square" {
		t.Errorf(`"a red square" ranks a %s %s first`, s.Colour, s.Shape)
	}
}

// checkTag: CSV and JSON parse, and the top tag of most images is right.
func checkTag(t *testing.T, idx string, lib map[string]shapes.Sample) {
	labels := "red square,blue circle,green triangle,yellow ring,black cross"
	var b bytes.Buffer
	searchOut = &b
	defer func() { searchOut = os.Stdout }()
	if err := runTag([]string{"--index", idx, "--labels", labels, "--template", "a photo of a {}", "--threshold", "0.5", "--csv"}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != "image,label,score,logit" {
		t.Fatalf("CSV header %v, %d rows", rows[0], len(rows))
	}
	right, tagged := 0, 0
	for _, r := range rows[1:] {
		s, ok := lib[r[0]]
		if !ok {
			t.Fatalf("CSV row for unknown image %q", r[0])
		}
		tagged++
		if r[1] == s.Colour+" "+s.Shape {
			right++
		}
	}
	// Every image whose true label is among the five should be tagged with it.
	want := 0
	for _, s := range lib {
		if strings.Contains(labels, s.Colour+" "+s.Shape) {
			want++
		}
	}
	t.Logf("CSV: %d tags, %d of them right; %d images show one of the labels", tagged, right, want)
	if right < want*9/10 || tagged > right+want/10 {
		t.Errorf("tags: %d right of %d images with those labels, %d tags in all", right, want, tagged)
	}
	b.Reset()
	if err := runTag([]string{"--index", idx, "--labels", labels, "--template", "a photo of a {}", "--json"}); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&b)
	n, jright := 0, 0
	for dec.More() {
		var line struct {
			Image string
			Tags  []scoredLabel
		}
		if err := dec.Decode(&line); err != nil {
			t.Fatal(err)
		}
		n++
		s := lib[line.Image]
		if len(line.Tags) > 0 && line.Tags[0].Label == s.Colour+" "+s.Shape {
			jright++
		}
	}
	if n != len(lib) || jright != right {
		t.Errorf("JSON: %d images (want %d), %d right first tags (CSV had %d)", n, len(lib), jright, right)
	}
}

// checkShards: three shards cover the library once and merge into the
// unsharded index (same entries, same order).
func checkShards(t *testing.T, mp, dir, full, out string) {
	var parts []string
	for i := 0; i < 3; i++ {
		p := filepath.Join(out, fmt.Sprintf("shard%d.idx", i))
		if err := runIndexQuiet([]string{"--model", mp, "--out", p, "--shard", fmt.Sprintf("%d/3", i), dir}); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	merged := filepath.Join(out, "merged.idx")
	if err := runIndexQuiet(append([]string{"--merge", "--out", merged}, parts...)); err != nil {
		t.Fatal(err)
	}
	_, want := readIndexEntries(t, full)
	_, got := readIndexEntries(t, merged)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("merged shards: %d entries, unsharded %d, or they differ", len(got), len(want))
	}
	if err := runIndexQuiet(append([]string{"--merge", "--out", filepath.Join(out, "dup.idx")}, parts[0], parts[0])); err == nil {
		t.Error("merging a shard with itself was accepted")
	}
}

func runIndexQuiet(args []string) error {
	indexErr = io.Discard
	defer func() { indexErr = os.Stderr }()
	return runIndex(args)
}
