package hub

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A sharded checkpoint through Snapshot: the index and every shard it
// names are downloaded, each verified against its SHA-256; a shard cut
// mid-download resumes from its .part file with a Range request; a bad
// hash on a shard is refused.
func TestSnapshotShards(t *testing.T) {
	h := newFakeHub(t)
	index := `{"metadata":{"total_size":900000},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors","c":"model-00002-of-00002.safetensors"}}`
	shards := map[string][]byte{"model-00001-of-00002.safetensors": payload(400_000), "model-00002-of-00002.safetensors": payload(500_000)[1:]}
	h.files["o/big/main/config.json"] = []byte(`{}`)
	h.files["o/big/main/spiece.model"] = []byte("sp")
	h.files["o/big/main/"+SafetensorsIndex] = []byte(index)
	for name, b := range shards {
		key := "o/big/main/" + name
		h.files[key], h.lfs[key] = b, true
	}
	second := "o/big/main/model-00002-of-00002.safetensors"
	h.cutOnce[second] = 123_456
	c, _ := testClient(t, h)
	ref, _ := ParseRef("hf:o/big")
	if _, err := c.Snapshot(context.Background(), ref); err == nil || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("interrupted shard: err = %v", err)
	}
	dir, err := c.Snapshot(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range shards {
		if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %d bytes, %v", name, len(got), err)
		}
	}
	if got := h.rangesSeen[len(h.rangesSeen)-1]; got != "bytes=123456-" {
		t.Fatalf("the cut shard was not resumed: ranges %q", h.rangesSeen)
	}
	if _, err := os.Stat(filepath.Join(dir, SafetensorsIndex)); err != nil {
		t.Fatal(err)
	}
	// A shard whose content does not match its announced SHA-256.
	h.badHash["o/bad/main/model-00001-of-00002.safetensors"] = true
	for k, v := range map[string][]byte{"config.json": []byte(`{}`), SafetensorsIndex: []byte(index),
		"model-00001-of-00002.safetensors": shards["model-00001-of-00002.safetensors"], "model-00002-of-00002.safetensors": shards["model-00002-of-00002.safetensors"]} {
		h.files["o/bad/main/"+k] = v
		h.lfs["o/bad/main/"+k] = strings.HasSuffix(k, ".safetensors")
	}
	bad, _ := ParseRef("o/bad")
	if _, err := c.Snapshot(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "SHA-256 mismatch") {
		t.Fatalf("bad shard hash: err = %v", err)
	}
}

func TestSnapshotPickleOnlyAndBadIndex(t *testing.T) {
	h := newFakeHub(t)
	h.files["o/pt/main/config.json"] = []byte(`{}`)
	h.files["o/pt/main/pytorch_model.bin"] = payload(100)
	h.files["o/evil/main/config.json"] = []byte(`{}`)
	h.files["o/evil/main/"+SafetensorsIndex] = []byte(`{"weight_map":{"a":"../../../etc/x.safetensors"}}`)
	h.files["o/none/main/config.json"] = []byte(`{}`)
	c, _ := testClient(t, h)
	for repo, want := range map[string][]string{
		"o/pt":   {"only PyTorch pickle weights", "hf:OWNER/REPO@refs/pr/N", "convert the pickle elsewhere"},
		"o/evil": {"not a .safetensors file name beside the index"},
		"o/none": {"has no file model.safetensors"},
	} {
		ref, _ := ParseRef(repo)
		_, err := c.Snapshot(context.Background(), ref)
		for _, w := range want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: err = %v, want %q", repo, err, w)
			}
		}
	}
}
