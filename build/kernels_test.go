package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The shared f32 GEMM (web/kernels/gemm_f32.wat.in) expands into both
// modules, fused only in simd_relaxed.wat: the ten accumulator updates of
// its 5×8 tile.
func TestExpandWatSharedGEMM(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file        string
		fused, adds int
	}{{"simd.wat", 0, 10}, {"simd_relaxed.wat", 10, 0}} {
		out, err := expandWat(filepath.Join(root, "web", "kernels", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(out, `(func $gemm_f32 (export "gemm_f32")`); n != 1 {
			t.Errorf("%s: %d gemm_f32 after expansion, want 1", c.file, n)
		}
		if n := strings.Count(out, "(f32x4.relaxed_madd ("); n != c.fused {
			t.Errorf("%s: %d f32x4.relaxed_madd, want %d", c.file, n, c.fused)
		}
		if n := maddPlain.FindAllStringIndex(out, -1); len(n) != c.adds {
			t.Errorf("%s: %d plain multiply-adds of the tile, want %d", c.file, len(n), c.adds)
		}
	}
}

// maddPlain: a tile update as simd.wat spells it, c = c + a·b.
var maddPlain = regexp.MustCompile(`\(local\.set (\$c\d\d) \(f32x4\.add \(local\.get (\$c\d\d)\) \(f32x4\.mul`)
