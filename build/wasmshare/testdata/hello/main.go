// A js/wasm program for the wasmshare test: grows the (shared) memory by
// ~200 MB, reads crypto randomness and passes strings both ways.
package main

import (
	"crypto/rand"
	"fmt"
	"syscall/js"
)

func main() {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	var bufs [][]byte
	for i := 0; i < 20; i++ {
		bufs = append(bufs, make([]byte, 10<<20))
		bufs[i][len(bufs[i])-1] = byte(i)
	}
	s := "héllo, shared wörld"
	js.Global().Set("fromGo", s)
	fmt.Println("go:", s, js.Global().Get("fromGo").String() == s, len(bufs))
}
