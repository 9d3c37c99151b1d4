package hub

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeHub serves /OWNER/REPO/resolve/REV/FILE like huggingface.co: small
// files directly with their git blob id as ETag, LFS files as a redirect to
// a second host (the "CDN") with X-Linked-Etag = SHA-256 and X-Linked-Size.
type fakeHub struct {
	hub, cdn   *httptest.Server
	mu         sync.Mutex
	files      map[string][]byte // "OWNER/REPO/REV/FILE"
	lfs        map[string]bool
	badHash    map[string]bool
	cutOnce    map[string]int // cut the body after this many bytes, once
	gets       map[string]int
	rangesSeen []string
}

func newFakeHub(t *testing.T) *fakeHub {
	h := &fakeHub{files: map[string][]byte{}, lfs: map[string]bool{}, badHash: map[string]bool{}, cutOnce: map[string]int{}, gets: map[string]int{}}
	h.cdn = httptest.NewServer(http.HandlerFunc(h.serveCDN))
	h.hub = httptest.NewServer(http.HandlerFunc(h.serveHub))
	t.Cleanup(func() { h.hub.Close(); h.cdn.Close() })
	return h
}

func (h *fakeHub) serveHub(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 5) // owner repo resolve rev file
	if len(parts) != 5 || parts[2] != "resolve" {
		http.NotFound(w, r)
		return
	}
	key := parts[0] + "/" + parts[1] + "/" + parts[3] + "/" + parts[4]
	h.mu.Lock()
	body, ok := h.files[key]
	lfs, bad := h.lfs[key], h.badHash[key]
	h.mu.Unlock()
	if !ok {
		http.Error(w, "Entry not found", http.StatusNotFound)
		return
	}
	if lfs {
		sum := sha256.Sum256(body)
		etag := hex.EncodeToString(sum[:])
		if bad {
			etag = strings.Repeat("0", 64)
		}
		w.Header().Set("X-Linked-Etag", `"`+etag+`"`)
		w.Header().Set("X-Linked-Size", fmt.Sprint(len(body)))
		w.Header().Set("ETag", `W/"not-the-content-hash"`)
		http.Redirect(w, r, h.cdn.URL+"/blobs/"+key, http.StatusFound)
		return
	}
	s := sha1.New()
	fmt.Fprintf(s, "blob %d\x00", len(body))
	s.Write(body)
	w.Header().Set("ETag", `"`+hex.EncodeToString(s.Sum(nil))+`"`)
	if r.Method == http.MethodGet {
		h.mu.Lock()
		h.gets[key]++
		h.mu.Unlock()
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func (h *fakeHub) serveCDN(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/blobs/")
	h.mu.Lock()
	body, ok := h.files[key]
	cut, doCut := h.cutOnce[key]
	if r.Method == http.MethodGet {
		h.gets[key]++
		h.rangesSeen = append(h.rangesSeen, r.Header.Get("Range"))
		delete(h.cutOnce, key)
	} else {
		doCut = false
	}
	h.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("ETag", `"s3-md5-like"`)
	if doCut {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:cut])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection drops mid-body
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func testClient(t *testing.T, h *fakeHub) (*Client, *bytes.Buffer) {
	t.Setenv("HF_ENDPOINT", h.hub.URL+"/")
	t.Setenv("SIGLIP_CACHE", t.TempDir())
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	c.Progress = &progress
	if c.Endpoint != h.hub.URL {
		t.Fatalf("HF_ENDPOINT not used: %q", c.Endpoint)
	}
	return c, &progress
}

func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestDownloadLFSAndSmall(t *testing.T) {
	h := newFakeHub(t)
	big := payload(300_000)
	h.files["google/siglip/main/model.safetensors"] = big
	h.lfs["google/siglip/main/model.safetensors"] = true
	h.files["google/siglip/main/config.json"] = []byte(`{"a":1}`)
	h.files["google/siglip/main/tokenizer.json"] = []byte(`{"model":{}}`)
	c, progress := testClient(t, h)
	ref, _ := ParseRef("hf:google/siglip")
	dir, err := c.Snapshot(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(c.CacheDir, "google", "siglip", "main"); dir != want {
		t.Fatalf("dir %s, want %s", dir, want)
	}
	for name, want := range map[string][]byte{"model.safetensors": big, "config.json": []byte(`{"a":1}`), "tokenizer.json": []byte(`{"model":{}}`)} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %d bytes, %v", name, len(got), err)
		}
	}
	if !strings.Contains(progress.String(), "model.safetensors") || !strings.Contains(progress.String(), "100%") {
		t.Fatalf("progress: %q", progress.String())
	}
	// A second call is served from the cache.
	before := h.gets["google/siglip/main/model.safetensors"]
	if _, err := c.Download(context.Background(), ref, "model.safetensors"); err != nil {
		t.Fatal(err)
	}
	if h.gets["google/siglip/main/model.safetensors"] != before {
		t.Fatal("cached file downloaded again")
	}
}

func TestResume(t *testing.T) {
	h := newFakeHub(t)
	big := payload(500_000)
	key := "o/r/v1.0/model.safetensors"
	h.files[key], h.lfs[key], h.cutOnce[key] = big, true, 200_000
	c, _ := testClient(t, h)
	ref, err := ParseRef("o/r@v1.0")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Download(context.Background(), ref, "model.safetensors")
	if err == nil || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("interrupted download: err = %v", err)
	}
	part := filepath.Join(c.CacheDir, "o", "r", "v1.0", "model.safetensors.part")
	if st, err := os.Stat(part); err != nil || st.Size() != 200_000 {
		t.Fatalf("partial file: %v %v", st, err)
	}
	p, err := c.Download(context.Background(), ref, "model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, big) {
		t.Fatal("resumed file differs")
	}
	if h.rangesSeen[len(h.rangesSeen)-1] != "bytes=200000-" {
		t.Fatalf("ranges requested: %q", h.rangesSeen)
	}
	if _, err := os.Stat(part); !os.IsNotExist(err) {
		t.Fatal(".part left behind")
	}
}

func TestBadHashRefused(t *testing.T) {
	h := newFakeHub(t)
	key := "o/r/main/model.safetensors"
	h.files[key], h.lfs[key], h.badHash[key] = payload(1000), true, true
	c, _ := testClient(t, h)
	ref, _ := ParseRef("o/r")
	_, err := c.Download(context.Background(), ref, "model.safetensors")
	if err == nil || !strings.Contains(err.Error(), "SHA-256 mismatch") {
		t.Fatalf("err = %v", err)
	}
	dir := filepath.Join(c.CacheDir, "o", "r", "main")
	for _, f := range []string{"model.safetensors", "model.safetensors.part"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Fatalf("%s kept after a bad hash", f)
		}
	}
}

func TestNotFound(t *testing.T) {
	h := newFakeHub(t)
	c, _ := testClient(t, h)
	ref, _ := ParseRef("o/missing@main")
	_, err := c.Download(context.Background(), ref, "config.json")
	var nf *NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "o/missing@main has no file config.json (404") {
		t.Fatalf("err = %v", err)
	}
	// Snapshot names what is missing.
	if _, err := c.Snapshot(context.Background(), ref); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Fatalf("snapshot err = %v", err)
	}
}

func TestParseRef(t *testing.T) {
	for in, want := range map[string]Ref{"a/b": {"a/b", "main"}, "hf:a-1/b.c@v2": {"a-1/b.c", "v2"}, "a/b@refs/pr/1": {"a/b", "refs/pr/1"}} {
		got, err := ParseRef(in)
		if err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "a", "a/b/c", "../x/y", "a/b@..", "a/b@x y"} {
		if _, err := ParseRef(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A repository whose only tokenizer is tokenizer.model (SentencePiece, as
// Gemma ships it) gets that file.
func TestSnapshotTokenizerModelOnly(t *testing.T) {
	h := newFakeHub(t)
	h.files["o/gemma/main/model.safetensors"] = payload(1000)
	h.files["o/gemma/main/config.json"] = []byte(`{"a":1}`)
	h.files["o/gemma/main/tokenizer.model"] = []byte("sp")
	c, _ := testClient(t, h)
	ref, _ := ParseRef("hf:o/gemma")
	dir, err := c.Snapshot(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "tokenizer.model")); err != nil || string(got) != "sp" {
		t.Fatalf("tokenizer.model: %q, %v", got, err)
	}
	delete(h.files, "o/gemma/main/tokenizer.model")
	c2, _ := testClient(t, h)
	if _, err := c2.Snapshot(context.Background(), ref); err == nil || !strings.Contains(err.Error(), "tokenizer.json") {
		t.Fatalf("no tokenizer at all: %v, want an error naming tokenizer.json", err)
	}
}
