package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// mergeIndexes joins shard indexes made with one model into out (which must
// not exist): a k-way merge by image path, so shards written in listing
// order give the same entries in the same order as one unsharded run. An
// image in two parts is an error.
func mergeIndexes(out string, parts []string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("--out %s exists; merge writes a new file", out)
	}
	type head struct {
		r   *indexReader
		img string
		emb []float32
		ok  bool
	}
	var hs []*head
	defer func() {
		for _, h := range hs {
			h.r.Close()
		}
	}()
	var hdr indexHeader
	for i, p := range parts {
		r, err := openIndex(p)
		if err != nil {
			return err
		}
		h := &head{r: r}
		hs = append(hs, h)
		if i == 0 {
			hdr = r.Header
		} else if r.Header.ModelSHA256 != hdr.ModelSHA256 || r.Header.EmbedDim != hdr.EmbedDim {
			return fmt.Errorf("%s was made with another model than %s (SHA-256 %.12s…, %.12s…)", p, parts[0], r.Header.ModelSHA256, hdr.ModelSHA256)
		}
	}
	advance := func(h *head) error {
		img, emb, err := h.r.Next()
		if err == io.EOF {
			if h.r.Partial {
				return fmt.Errorf("%s ends in an incomplete line: finish that shard (rerun its siglip index) before merging", h.r.path)
			}
			h.ok = false
			return nil
		}
		if err != nil {
			return err
		}
		h.img, h.emb, h.ok = img, emb, true
		return nil
	}
	for _, h := range hs {
		if err := advance(h); err != nil {
			return err
		}
	}
	tmp := out + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	hdr.Shard = ""
	if _, err := f.Write(hdr.line()); err != nil {
		return fail(err)
	}
	seen := map[string]string{}
	n := 0
	for {
		var best *head
		for _, h := range hs {
			if h.ok && (best == nil || h.img < best.img) {
				best = h
			}
		}
		if best == nil {
			break
		}
		if p, dup := seen[best.img]; dup {
			return fail(fmt.Errorf("%s is in both %s and %s", best.img, p, best.r.path))
		}
		seen[best.img] = best.r.path
		if _, err := f.Write(entryLine(best.img, best.emb)); err != nil {
			return fail(err)
		}
		n++
		if err := advance(best); err != nil {
			return fail(err)
		}
	}
	if n == 0 {
		return fail(errors.New("the parts hold no images"))
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return err
	}
	fmt.Fprintf(indexErr, "index: merged %d images from %d parts into %s\n", n, len(parts), out)
	return nil
}
