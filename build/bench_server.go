package main

// The benchmark's local HTTP server: one origin (127.0.0.1, random port),
// cross-origin isolated (COOP/COEP, needed for SharedArrayBuffer and so for
// onnxruntime-web's threads and precise timers), serving only the folders the
// page needs plus the generated config, inputs and refilled weights.

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// benchServedDirs are the repository folders the page may read (URL path = repo path).
var benchServedDirs = []string{
	"web/",
	"build/bench/",
	"build/node_modules/onnxruntime-web/dist/",
	"testdata/full/onnx/",
	"testdata/tinyonnx/",
}

type benchServer struct {
	root    string            // repository root
	outDir  string            // refilled .data files, served under /out/
	virtual map[string][]byte // generated files (config, inputs) by URL path

	mu       sync.Mutex
	notFound []string // every request that failed: the page asked for something missing
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".wasm":
		return "application/wasm"
	case ".mjs", ".js":
		return "text/javascript"
	case ".html":
		return "text/html; charset=utf-8"
	case ".json":
		return "application/json"
	case ".css":
		return "text/css"
	}
	return "application/octet-stream"
}

func (s *benchServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Embedder-Policy", "require-corp")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	// No browser cache: the refilled weights are hundreds of MB, and every
	// run should measure the same cold fetch into the page.
	h.Set("Cache-Control", "no-store")

	p := path.Clean(r.URL.Path)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if b, ok := s.virtual[p]; ok {
		h.Set("Content-Type", contentType(p))
		h.Set("Content-Length", fmt.Sprint(len(b)))
		w.Write(b)
		return
	}
	var file string
	if rest, ok := strings.CutPrefix(p, "/out/"); ok && !strings.Contains(rest, "/") {
		file = filepath.Join(s.outDir, rest)
	} else {
		rel := strings.TrimPrefix(p, "/")
		for _, d := range benchServedDirs {
			if strings.HasPrefix(rel, d) {
				file = filepath.Join(s.root, filepath.FromSlash(rel))
				break
			}
		}
	}
	if file == "" {
		s.miss(p)
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(file)
	if err != nil {
		s.miss(p)
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		s.miss(p)
		http.NotFound(w, r)
		return
	}
	h.Set("Content-Type", contentType(file))
	http.ServeContent(w, r, "", st.ModTime(), f)
}

func (s *benchServer) miss(p string) {
	s.mu.Lock()
	s.notFound = append(s.notFound, p)
	s.mu.Unlock()
}

func (s *benchServer) misses() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.notFound...)
}

// start listens on a random loopback port and returns the origin URL.
func (s *benchServer) start() (origin string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: s}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}
