package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strings"
	"time"
)

func init() {
	register("serve", "build the wasm module and serve the demo page on 127.0.0.1 (COOP/COEP, strict CSP)", runServe)
}

// contentSecurityPolicy allows nothing but this origin: no inline scripts,
// no eval (only WebAssembly compilation), no third-party hosts. blob: images
// are the page's own previews of files the user picked.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"worker-src 'self'; connect-src 'self'; img-src 'self' blob: data:; style-src 'self'; " +
	"font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// mimeTypes is fixed here rather than taken from the system's mime.types,
// which differs between machines (and may lack .wasm, which
// WebAssembly.instantiateStreaming insists on).
var mimeTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".wasm":        "application/wasm",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".webp":        "image/webp",
	".ico":         "image/x-icon",
	".siglip":      "application/octet-stream",
	".ts":          "text/plain; charset=utf-8",
	".txt":         "text/plain; charset=utf-8",
}

func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (loopback only; port 0 picks a free one)")
	noBuild := fs.Bool("no-build", false, "serve web/dist as it is, without rebuilding the wasm module")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	if !*noBuild {
		if err := buildWasm(filepath.Join(root, "web", "dist")); err != nil {
			return err
		}
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", *addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-addr %q: refusing to listen beyond this machine; use 127.0.0.1", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: siteHandler(root), ReadHeaderTimeout: 10 * time.Second}
	// Tests read this line to learn the port when -addr ends in :0.
	fmt.Printf("serving http://%s/\n", ln.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	go func() {
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// siteHandler serves index.html and web/ from the repository root, and
// nothing else (not .git, not testdata), with the headers the page needs:
// cross-origin isolation (COOP/COEP), a strict CSP, exact MIME types.
func siteHandler(root string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Embedder-Policy", "require-corp")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// Revalidate every time (cheap 304s): a rebuilt module or edited
		// script is picked up on reload. Offline use goes through the
		// service worker and the page's Cache API, not the HTTP cache.
		h.Set("Cache-Control", "no-cache")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		switch {
		case p == "/":
			p = "/index.html"
		case p == "/index.html" || strings.HasPrefix(p, "/web/"):
		default:
			http.NotFound(w, r)
			return
		}
		if p == "/web/sw.js" {
			// The service worker lives in web/ but controls the whole site.
			h.Set("Service-Worker-Allowed", "/")
		}
		file := filepath.Join(root, filepath.FromSlash(p))
		st, err := os.Stat(file)
		if err != nil || st.IsDir() || strings.Contains(p, "/.") {
			http.NotFound(w, r)
			return
		}
		f, err := os.Open(file)
		if err != nil {
			http.Error(w, "cannot read "+p, http.StatusInternalServerError)
			return
		}
		defer f.Close()
		ct, ok := mimeTypes[strings.ToLower(path.Ext(p))]
		if !ok {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		http.ServeContent(w, r, p, st.ModTime(), f)
	})
}
