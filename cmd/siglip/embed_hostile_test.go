package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siglip-wasm/siglip-wasm/internal/npy"
)

// TestEmbedHostileNPY: issue 14 row 3. Before, these panicked (makeslice,
// inside npyio), ran out of memory, or exited 0 with 1000 identical
// embeddings; each must now be an error naming the file and the problem.
func TestEmbedHostileNPY(t *testing.T) {
	dir := t.TempDir()
	put := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ids := func(vals ...int64) []byte {
		var b []byte
		for _, v := range vals {
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
		return b
	}
	row := make([]int64, 64)
	for i := range row {
		row[i] = 1
	}
	huge := npy.AppendHeader(nil, "<i8", 1<<31, 1<<31)
	nan := make([]byte, 0, 4*3*128*128)
	for i := range 3 * 128 * 128 {
		v := float32(0)
		if i == 5*128+7 {
			v = float32(math.NaN())
		}
		nan = binary.LittleEndian.AppendUint32(nan, math.Float32bits(v))
	}
	cases := []struct {
		flag string
		b    []byte
		want string
	}{
		{"--input-ids", huge, "not a dimension"},
		{"--input-ids", huge[:40], "truncated"},
		{"--pixel-values", append(npy.AppendHeader(nil, "<f4", 100000, 3, 128, 128), make([]byte, 49<<10)...), "needs 19660800000 data bytes, the file holds 50176"},
		{"--input-ids", append(npy.AppendHeader(nil, "<i8", 1000, 64), ids(row...)...), "needs 512000 data bytes, the file holds 512"},
		{"--input-ids", append(npy.AppendHeader(nil, "<i8", 1, 64), ids(append([]int64{1 << 40}, row[1:]...)...)...), "token id 1099511627776 (row 0, position 0) is outside the model's vocabulary"},
		{"--input-ids", append(npy.AppendHeader(nil, "<f4", 1, 64), make([]byte, 256)...), "must be integers"},
		{"--input-ids", append(npy.AppendHeader(nil, "<i8", 1, 65), ids(append(row, 1)...)...), "at most 64"},
		{"--pixel-values", append(npy.AppendHeader(nil, "<f4", 1, 3, 128, 128), nan...), "image 0: pixel value [channel 0, row 5, column 7] is NaN"},
		{"--pixel-values", append(npy.AppendHeader(nil, "<f4", 2, 3, 128, 128), nan...), "needs 393216 data bytes"},
	}
	for i, c := range cases {
		p := put(fmt.Sprintf("case%d.npy", i), c.b)
		err := runEmbed([]string{"--model", demoModel(t), c.flag, p})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("case %d (%s): error %v\nwant one naming %s and containing %q", i, c.flag, err, p, c.want)
		}
	}
}

// TestEmbedBoundedMemory: issue 14 row 4. embed used to build one plan
// for all its inputs (10,000 labels: 3.6 GB on the demo model); it now
// works in chunks, so the peak heap for 64 texts is that of 16 (both within one or two textChunk batches).
func TestEmbedBoundedMemory(t *testing.T) {
	peak := func(n int) uint64 {
		args := []string{"--model", demoModel(t)}
		for i := range n {
			args = append(args, "--text", fmt.Sprintf("label number %d", i))
		}
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var top uint64
		var mu sync.Mutex
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			var m runtime.MemStats
			for {
				runtime.ReadMemStats(&m)
				mu.Lock()
				top = max(top, m.HeapInuse)
				mu.Unlock()
				select {
				case <-done:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		embedOut = io.Discard
		defer func() { embedOut = os.Stdout }()
		err := runEmbed(args)
		close(done)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		return top - min(top, base.HeapInuse)
	}
	small, large := peak(16), peak(64)
	t.Logf("peak heap above baseline: 16 texts %.1f MB, 64 texts %.1f MB", float64(small)/1e6, float64(large)/1e6)
	if float64(large) > 1.5*float64(small)+4e6 {
		t.Errorf("64 texts took %.1f MB of heap, 16 took %.1f MB: memory grows with the number of texts", float64(large)/1e6, float64(small)/1e6)
	}
}

// TestBoundedReads: issue 14 rows 4 and 7. A device file is read up to a
// bound and refused with a clear message; --model /dev/zero says what it
// is instead of looking for /dev/config.json.
func TestBoundedReads(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := readInput("/dev/zero", "--image", 1<<20)
	if err == nil || !strings.Contains(err.Error(), "--image /dev/zero gives more than 1048576 bytes") {
		t.Errorf("--image /dev/zero: %v", err)
	}
	err = runEmbed([]string{"--model", "/dev/zero", "--text", "a cat"})
	if err == nil || !strings.Contains(err.Error(), "--model /dev/zero is not a regular file or a directory") {
		t.Errorf("--model /dev/zero: %v", err)
	}
	dir := t.TempDir()
	if _, err := readInput(dir, "--image", 1<<20); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory as --image: %v", err)
	}
	big := filepath.Join(dir, "big.png")
	if err := os.WriteFile(big, make([]byte, 2<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readInput(big, "--image", 1<<20); err == nil || !strings.Contains(err.Error(), "is 2097152 bytes; at most 1048576") {
		t.Errorf("an oversized file: %v", err)
	}
	// A PNG given as the model: named as such, not by a wrapped header length.
	png := filepath.Join("..", "..", "testdata", "images", "coco_39769.png")
	err = runEmbed([]string{"--model", png, "--text", "a cat"})
	if err == nil || !strings.Contains(err.Error(), "not a siglip-wasm model file") {
		t.Errorf("a PNG as --model: %v", err)
	}
	var b bytes.Buffer
	embedOut = &b
	defer func() { embedOut = os.Stdout }()
	if err := runEmbed([]string{"--model", demoModel(t), "--text", strings.Repeat("x", 5000)}); err == nil || !strings.Contains(err.Error(), "--text 1 is 5000 bytes long; at most 4096") {
		t.Errorf("an overlong --text: %v", err)
	}
}

// TestTextLimitEverywhere: tokenizer.MaxTextBytes applies to every verb
// that takes texts, as it does in the wasm binding.
func TestTextLimitEverywhere(t *testing.T) {
	long := strings.Repeat("y", 4097)
	if err := runTokenize([]string{"--tokenizer", filepath.Join("..", "..", "testdata", "tokenizer", "xlnet-base-cased-spiece.model"), long}); err == nil || !strings.Contains(err.Error(), "TEXT 1 is 4097 bytes long") {
		t.Errorf("tokenize: %v", err)
	}
	if _, err := readLabels("cat,"+long, ""); err == nil || !strings.Contains(err.Error(), "label 2 is 4097 bytes long") {
		t.Errorf("labels: %v", err)
	}
}
