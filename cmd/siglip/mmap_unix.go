//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// mapFile maps path read-only into memory (copy-on-write, so a stray
// write could never reach the file) and returns its bytes and the unmap
// function. A checkpoint read this way costs address space, not heap: the
// kernel pages in what a conversion touches and may drop it again, so a
// 3.5 GB so400m checkpoint does not need 3.5 GB of memory.
func mapFile(path string) ([]byte, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	n := st.Size()
	if n == 0 {
		return []byte{}, func() error { return nil }, nil
	}
	if n != int64(int(n)) {
		return nil, nil, fmt.Errorf("%s: %d bytes do not fit in the address space", path, n)
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(n), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: mmap: %v", path, err)
	}
	return b, func() error { return syscall.Munmap(b) }, nil
}
