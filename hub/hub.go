package hub

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultEndpoint is the Hugging Face Hub.
const DefaultEndpoint = "https://huggingface.co"

// Client downloads files from a hub into a cache. The zero value is not
// usable; call New.
type Client struct {
	Endpoint string       // without trailing slash
	CacheDir string       // root of the cache
	HTTP     *http.Client // redirects followed for GETs
	Progress io.Writer    // progress bar (nil: none)
}

// New returns a client configured from the environment (HF_ENDPOINT,
// SIGLIP_CACHE, XDG_CACHE_HOME, HOME), drawing progress on stderr.
func New() (*Client, error) {
	ep := strings.TrimRight(os.Getenv("HF_ENDPOINT"), "/")
	if ep == "" {
		ep = DefaultEndpoint
	}
	dir, err := DefaultCacheDir()
	if err != nil {
		return nil, err
	}
	return &Client{Endpoint: ep, CacheDir: dir, HTTP: &http.Client{}, Progress: os.Stderr}, nil
}

// DefaultCacheDir is $SIGLIP_CACHE, else $XDG_CACHE_HOME/siglip-wasm, else
// ~/.cache/siglip-wasm.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("SIGLIP_CACHE"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "siglip-wasm"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("hub: no cache directory: set SIGLIP_CACHE or XDG_CACHE_HOME (%v)", err)
	}
	return filepath.Join(home, ".cache", "siglip-wasm"), nil
}

// Ref names a repository at a revision.
type Ref struct {
	Repo     string // OWNER/REPO
	Revision string // branch, tag or commit; "main" when empty
}

var repoRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$`)
var revRE = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)

// ParseRef parses "OWNER/REPO" or "OWNER/REPO@REVISION" (an "hf:" prefix is
// allowed).
func ParseRef(s string) (Ref, error) {
	s = strings.TrimPrefix(s, "hf:")
	repo, rev, _ := strings.Cut(s, "@")
	if rev == "" {
		rev = "main"
	}
	if !repoRE.MatchString(repo) || strings.Contains(repo, "..") {
		return Ref{}, fmt.Errorf("hub: %q is not OWNER/REPO", repo)
	}
	if !revRE.MatchString(rev) || strings.Contains(rev, "..") {
		return Ref{}, fmt.Errorf("hub: bad revision %q", rev)
	}
	return Ref{repo, rev}, nil
}

func (r Ref) String() string { return r.Repo + "@" + r.Revision }

// URL is the resolve URL of file in r.
func (c *Client) URL(r Ref, file string) string {
	return c.Endpoint + "/" + r.Repo + "/resolve/" + url.PathEscape(r.Revision) + "/" + file
}

// NotFoundError is returned when the hub has no such file (HTTP 404).
type NotFoundError struct {
	Ref  Ref
	File string
	URL  string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("hub: %s has no file %s (404 at %s)", e.Ref, e.File, e.URL)
}

// announced is what the HEAD request tells about a file.
type announced struct {
	etag string // normalised
	size int64  // -1 when unknown
}

func normalizeETag(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "W/")
	return strings.Trim(s, `"`)
}

func statusErr(r Ref, file, u string, resp *http.Response) error {
	switch resp.StatusCode {
	case http.StatusNotFound:
		return &NotFoundError{r, file, u}
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("hub: %s/%s: %s (the repository is private or gated)", r, file, resp.Status)
	}
	return fmt.Errorf("hub: %s/%s: unexpected %s from %s", r, file, resp.Status, u)
}

// head asks the hub about file, following only same-host redirects (a
// renamed repository) and stopping at the first cross-host one (the CDN),
// whose response carries the X-Linked-* headers.
func (c *Client) head(ctx context.Context, r Ref, file string) (announced, error) {
	u := c.URL(r, file)
	hc := *c.HTTP
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 || req.URL.Host != via[0].URL.Host {
			return http.ErrUseLastResponse
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
	if err != nil {
		return announced{}, err
	}
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := hc.Do(req)
	if err != nil {
		return announced{}, fmt.Errorf("hub: %s/%s: %v", r, file, err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return announced{}, statusErr(r, file, u, resp)
	}
	a := announced{size: -1}
	a.etag = normalizeETag(resp.Header.Get("X-Linked-Etag"))
	if a.etag == "" {
		a.etag = normalizeETag(resp.Header.Get("ETag"))
	}
	if s := resp.Header.Get("X-Linked-Size"); s != "" {
		a.size, _ = strconv.ParseInt(s, 10, 64)
	} else if resp.StatusCode < 300 && resp.ContentLength >= 0 {
		a.size = resp.ContentLength
	}
	return a, nil
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)
var hex40 = regexp.MustCompile(`^[0-9a-f]{40}$`)

// Download returns the local path of file in r, fetching it into the cache
// unless a verified copy is there already.
func (c *Client) Download(ctx context.Context, r Ref, file string) (string, error) {
	if file == "" || strings.Contains(file, "..") || strings.HasPrefix(file, "/") {
		return "", fmt.Errorf("hub: bad file name %q", file)
	}
	dst := filepath.Join(c.CacheDir, filepath.FromSlash(r.Repo), filepath.FromSlash(r.Revision), filepath.FromSlash(file))
	a, err := c.head(ctx, r, file)
	if err != nil {
		var nf *NotFoundError
		if _, serr := os.Stat(dst); serr == nil && !errors.As(err, &nf) {
			c.printf("warning: %v; using the cached %s\n", err, dst)
			return dst, nil
		}
		return "", err
	}
	if old, err := os.ReadFile(dst + ".etag"); err == nil && a.etag != "" && string(old) == a.etag {
		if _, err := os.Stat(dst); err == nil {
			return dst, nil
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("hub: %v", err)
	}
	if err := c.fetch(ctx, r, file, dst+".part", a); err != nil {
		return "", err
	}
	if err := verify(dst+".part", a); err != nil {
		os.Remove(dst + ".part")
		return "", fmt.Errorf("hub: %s/%s: %v", r, file, err)
	}
	if err := os.Rename(dst+".part", dst); err != nil {
		return "", fmt.Errorf("hub: %v", err)
	}
	if a.etag != "" {
		_ = os.WriteFile(dst+".etag", []byte(a.etag), 0o644)
	}
	return dst, nil
}

// fetch downloads into part, resuming from its current length.
func (c *Client) fetch(ctx context.Context, r Ref, file, part string, a announced) error {
	u := c.URL(r, file)
	var have int64
	if st, err := os.Stat(part); err == nil {
		have = st.Size()
	}
	if a.size >= 0 && have > a.size {
		have = 0 // not a prefix of this file
	}
	if a.size >= 0 && have == a.size && have > 0 {
		return nil // complete already; verify decides
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept-Encoding", "identity")
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("hub: %s/%s: %v", r, file, err)
	}
	defer resp.Body.Close()
	flags := os.O_CREATE | os.O_WRONLY
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		if !strings.HasPrefix(resp.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-", have)) {
			return fmt.Errorf("hub: %s/%s: server answered range %q to a request from byte %d", r, file, resp.Header.Get("Content-Range"), have)
		}
		flags |= os.O_APPEND
	case resp.StatusCode == http.StatusOK:
		flags |= os.O_TRUNC // the server ignored the range: start over
		have = 0
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		os.Remove(part)
		return fmt.Errorf("hub: %s/%s: partial download does not fit the file on the server; removed it, run again", r, file)
	default:
		return statusErr(r, file, u, resp)
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return fmt.Errorf("hub: %v", err)
	}
	total := a.size
	if total < 0 && resp.ContentLength >= 0 {
		total = have + resp.ContentLength
	}
	bar := &progress{w: c.Progress, name: file, done: have, total: total}
	_, err = io.Copy(out, io.TeeReader(resp.Body, bar))
	bar.finish()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("hub: %s/%s: download interrupted after %d bytes (run again to resume): %v", r, file, bar.done, err)
	}
	if a.size >= 0 && bar.done != a.size {
		return fmt.Errorf("hub: %s/%s: got %d bytes, the hub announced %d (run again to resume)", r, file, bar.done, a.size)
	}
	return nil
}

// verify checks the file against the announced size and ETag.
func verify(path string, a announced) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if a.size >= 0 && st.Size() != a.size {
		return fmt.Errorf("size %d, the hub announced %d", st.Size(), a.size)
	}
	var h hash.Hash
	kind := ""
	switch {
	case hex64.MatchString(a.etag):
		h, kind = sha256.New(), "SHA-256"
	case hex40.MatchString(a.etag):
		h, kind = sha1.New(), "git blob id"
		fmt.Fprintf(h, "blob %d\x00", st.Size())
	default:
		return nil // no content hash announced (not the Hub's ETag forms)
	}
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != a.etag {
		return fmt.Errorf("%s mismatch: the hub announced %s, the download hashes to %s (removed it)", kind, a.etag, got)
	}
	return nil
}

func (c *Client) printf(format string, args ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, format, args...)
	}
}

// progress draws "name  12.3 MB / 45.6 MB  27%" on one line, at most five
// times a second.
type progress struct {
	w           io.Writer
	name        string
	done, total int64
	last        time.Time
}

func (p *progress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if p.w != nil && time.Since(p.last) > 200*time.Millisecond {
		p.last = time.Now()
		p.draw()
	}
	return len(b), nil
}

func (p *progress) draw() {
	if p.total > 0 {
		fmt.Fprintf(p.w, "\r%s  %.1f MB / %.1f MB  %3d%%", p.name, float64(p.done)/1e6, float64(p.total)/1e6, p.done*100/p.total)
	} else {
		fmt.Fprintf(p.w, "\r%s  %.1f MB", p.name, float64(p.done)/1e6)
	}
}

func (p *progress) finish() {
	if p.w != nil {
		p.draw()
		fmt.Fprintln(p.w)
	}
}
