package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

// TestSearchTextLimit: a search text over tokenizer.MaxTextBytes is refused
// with the bound in the message, before the index is opened (the index
// named here does not exist, so any other error would mean the check came
// too late); one at the bound gets past the check to the missing index.
func TestSearchTextLimit(t *testing.T) {
	long := strings.Repeat("a", tokenizer.MaxTextBytes+1)
	err := runSearch([]string{"--index", "no-such.idx", long})
	if err == nil || !strings.Contains(err.Error(), "the search text is") || !strings.Contains(err.Error(), fmt.Sprintf("at most %d", tokenizer.MaxTextBytes)) {
		t.Errorf("search text of %d bytes: err = %v", len(long), err)
	}
	ok := strings.Repeat("a", tokenizer.MaxTextBytes)
	err = runSearch([]string{"--index", "no-such.idx", ok})
	if err == nil || strings.Contains(err.Error(), fmt.Sprintf("at most %d", tokenizer.MaxTextBytes)) {
		t.Errorf("search text of %d bytes: err = %v, want the missing index", len(ok), err)
	}
}
