//go:build !unix

package main

import "os"

// mapFile reads path whole where there is no mmap (see mmap_unix.go).
func mapFile(path string) ([]byte, func() error, error) {
	b, err := os.ReadFile(path)
	return b, func() error { return nil }, err
}
