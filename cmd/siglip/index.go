package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func init() {
	register("index", "embed every image under folders into an index (resumable; --shard I/N, --merge)", runIndex)
}

// indexErr is where index writes progress and skip messages (a variable for tests).
var indexErr io.Writer = os.Stderr

// imageExts are the file names index looks at (imageproc's formats).
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".bmp": true}

// runIndex: siglip index --model FILE --out INDEX [--shard I/N] [--jobs N] DIR...
// or siglip index --merge --out INDEX PART...
func runIndex(args []string) error {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	modelPath := fs.String("model", "", "a .siglip model file (siglip convert)")
	out := fs.String("out", "", "index file to write; if it exists, the run resumes it")
	shard := fs.String("shard", "", "I/N: index only shard I (0 ≤ I < N) of the images, chosen by a hash of each path")
	merge := fs.Bool("merge", false, "join shard indexes given as arguments into --out")
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "images embedded at once (default: every core)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out INDEX is required")
	}
	if fs.NArg() == 0 {
		if *merge {
			return errors.New("--merge: give the shard index files to join")
		}
		return errors.New("give one or more folders of images")
	}
	if *merge {
		if *modelPath != "" || *shard != "" {
			return errors.New("--merge takes no --model or --shard")
		}
		return mergeIndexes(*out, fs.Args())
	}
	sh, err := parseShard(*shard)
	if err != nil {
		return err
	}
	if *jobs < 1 || *jobs > 1024 {
		return fmt.Errorf("--jobs %d: want 1..1024", *jobs)
	}
	a, err := openAppModel(*modelPath)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := buildIndex(ctx, a, indexJob{out: *out, dirs: fs.Args(), shard: sh, jobs: *jobs, progress: indexErr})
	if err != nil {
		return err
	}
	fmt.Fprintf(indexErr, "index: %s: %d images (%d new, %d already there, %d skipped)\n", *out, st.total, st.added, st.kept, st.skipped)
	return nil
}

type shardSpec struct{ i, n int }

func (s shardSpec) String() string {
	if s.n <= 1 {
		return ""
	}
	return strconv.Itoa(s.i) + "/" + strconv.Itoa(s.n)
}

func parseShard(s string) (shardSpec, error) {
	if s == "" {
		return shardSpec{0, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return shardSpec{}, fmt.Errorf("--shard %q: want I/N with 0 ≤ I < N, e.g. 0/4", s)
	}
	return shardSpec{i, n}, nil
}

// owns says whether the shard holds path (FNV-1a of the path as listed, so
// every machine given the same folder arguments splits the same way).
func (s shardSpec) owns(path string) bool {
	if s.n <= 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(path))
	return int(h.Sum32()%uint32(s.n)) == s.i
}

type indexJob struct {
	out      string
	dirs     []string
	shard    shardSpec
	jobs     int
	progress io.Writer
	// afterWrite, if set, is called after each entry is written (tests use
	// it to interrupt a run part-way).
	afterWrite func(written int)
}

type indexStats struct{ total, added, kept, skipped int }

// listImages walks the folders for image files, sorted, in the shard.
func listImages(dirs []string, sh shardSpec, msg io.Writer) ([]string, error) {
	var out []string
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("%s: not a folder", d)
		}
		err = filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				fmt.Fprintf(msg, "index: skipping %s: %v\n", p, err)
				if e != nil && e.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if e.Type().IsRegular() && imageExts[strings.ToLower(filepath.Ext(p))] && sh.owns(p) {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return slicesCompact(out), nil
}

func slicesCompact(s []string) []string {
	w := 0
	for i, v := range s {
		if i == 0 || v != s[w-1] {
			s[w] = v
			w++
		}
	}
	return s[:w]
}

// resumeIndex opens an existing index for appending: its header must match,
// an incomplete last line (the run was killed mid-write) is cut off, and the
// images it holds are returned so they are not embedded again.
func resumeIndex(path string, want indexHeader) (*os.File, map[string]bool, error) {
	ir, err := openIndex(path)
	if err != nil {
		return nil, nil, err
	}
	h := ir.Header
	switch {
	case h.ModelSHA256 != want.ModelSHA256:
		ir.Close()
		return nil, nil, fmt.Errorf("%s was made with another model (SHA-256 %.12s…, %s); --model %s is %.12s…: give that model, or a new --out", path, h.ModelSHA256, h.Model, want.Model, want.ModelSHA256)
	case h.Shard != want.Shard:
		ir.Close()
		return nil, nil, fmt.Errorf("%s holds shard %q, this run is shard %q", path, h.Shard, want.Shard)
	case h.EmbedDim != want.EmbedDim:
		ir.Close()
		return nil, nil, fmt.Errorf("%s: embed_dim %d, the model's is %d", path, h.EmbedDim, want.EmbedDim)
	}
	done := map[string]bool{}
	for {
		img, _, err := ir.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			ir.Close()
			return nil, nil, err
		}
		done[img] = true
	}
	good := ir.Good
	ir.Close()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, nil, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, done, nil
}

type indexResult struct {
	seq  int
	line []byte // nil: skipped
}

// buildIndex embeds the images of job.dirs not yet in job.out on job.jobs
// goroutines and appends them in listing order, so that a run that is
// interrupted and resumed writes the same file as one that is not. At most
// 2×jobs results wait for the writer, so memory does not grow with the
// library. Cancelling ctx stops it after the images in flight; what was
// written stays valid and the next run resumes it.
func buildIndex(ctx context.Context, a *appModel, job indexJob) (indexStats, error) {
	var st indexStats
	hdr := indexHeader{Format: indexFormat, Version: indexVersion, ModelSHA256: a.sha256, Model: a.path,
		EmbedDim: a.m.Config.EmbedDim(), ImageSize: a.m.Config.VisionConfig.ImageSize, Shard: job.shard.String()}
	files, err := listImages(job.dirs, job.shard, job.progress)
	if err != nil {
		return st, err
	}
	var f *os.File
	done := map[string]bool{}
	if _, err := os.Stat(job.out); err == nil {
		if f, done, err = resumeIndex(job.out, hdr); err != nil {
			return st, err
		}
	} else if errors.Is(err, os.ErrNotExist) {
		if f, err = os.OpenFile(job.out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); err != nil {
			return st, err
		}
		if _, err := f.Write(hdr.line()); err != nil {
			f.Close()
			return st, err
		}
	} else {
		return st, err
	}
	defer f.Close()
	var todo []string
	for _, p := range files {
		if done[p] {
			st.kept++
		} else {
			todo = append(todo, p)
		}
	}
	st.total = st.kept

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type task struct {
		seq  int
		path string
	}
	tasks := make(chan task)
	results := make(chan indexResult, job.jobs)
	window := make(chan struct{}, 2*job.jobs) // results in flight or waiting for the writer
	embedders := make([]*imageEmbedder, job.jobs)
	for i := range embedders {
		if embedders[i], err = a.newImageEmbedder(); err != nil {
			return st, err
		}
	}
	go func() {
		defer close(tasks)
		for i, p := range todo {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case tasks <- task{i, p}:
			case <-ctx.Done():
				return
			}
		}
	}()
	workersDone := make(chan struct{})
	go func() {
		defer close(workersDone)
		var wg sync.WaitGroup
		for _, e := range embedders {
			wg.Go(func() {
				for t := range tasks {
					emb, err := e.embedFile(t.path)
					if err != nil {
						fmt.Fprintf(job.progress, "index: skipping %v\n", err)
						results <- indexResult{t.seq, nil}
						continue
					}
					results <- indexResult{t.seq, entryLine(t.path, emb)}
				}
			})
		}
		wg.Wait()
		close(results)
	}()

	bar := newProgressBar(job.progress, len(todo))
	pending := map[int][]byte{}
	skipped := map[int]bool{}
	next, written := 0, 0
	var werr error
	for r := range results {
		if r.line == nil {
			skipped[r.seq] = true
		} else {
			pending[r.seq] = r.line
		}
		for werr == nil {
			if skipped[next] {
				delete(skipped, next)
				st.skipped++
			} else if line, ok := pending[next]; ok {
				delete(pending, next)
				if _, err := f.Write(line); err != nil {
					werr = err
					cancel()
					break
				}
				written++
				st.added++
				if job.afterWrite != nil {
					job.afterWrite(written)
				}
			} else {
				break
			}
			next++
			<-window
			bar.update(next, st.skipped)
		}
	}
	<-workersDone
	bar.finish(next, st.skipped)
	st.total += st.added
	if werr != nil {
		return st, fmt.Errorf("%s: %v", job.out, werr)
	}
	if err := f.Sync(); err != nil {
		return st, err
	}
	if next < len(todo) {
		return st, fmt.Errorf("interrupted after %d of %d new images (%s holds %d); run the same command again to resume", next, len(todo), job.out, st.total)
	}
	return st, nil
}

// progressBar prints images/s and the time left to stderr: redrawn in place
// on a terminal, a line every 10 s otherwise.
type progressBar struct {
	w         io.Writer
	total     int
	start     time.Time
	last      time.Time
	tty       bool
	wroteOnce bool
}

func newProgressBar(w io.Writer, total int) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	now := time.Now()
	return &progressBar{w: w, total: total, start: now, last: now, tty: tty}
}

func (b *progressBar) line(done, skipped int) string {
	el := time.Since(b.start).Seconds()
	rate := float64(done) / max(el, 1e-9)
	eta := "?"
	if done > 0 {
		eta = (time.Duration(float64(b.total-done)/rate) * time.Second).Round(time.Second).String()
	}
	const width = 30
	fill := width
	if b.total > 0 {
		fill = width * done / b.total
	}
	return fmt.Sprintf("index [%s%s] %d/%d  %.1f images/s  ETA %s  (%d skipped)",
		strings.Repeat("#", fill), strings.Repeat(".", width-fill), done, b.total, rate, eta, skipped)
}

func (b *progressBar) update(done, skipped int) {
	every := 10 * time.Second
	if b.tty {
		every = 200 * time.Millisecond
	}
	if time.Since(b.last) < every {
		return
	}
	b.last = time.Now()
	b.wroteOnce = true
	if b.tty {
		fmt.Fprintf(b.w, "\r%s", b.line(done, skipped))
	} else {
		fmt.Fprintln(b.w, b.line(done, skipped))
	}
}

func (b *progressBar) finish(done, skipped int) {
	if b.tty && b.wroteOnce {
		fmt.Fprintf(b.w, "\r%s\n", b.line(done, skipped))
	}
}
