package model

import (
	"runtime"
	"sync"
)

// parallelDo runs f(0..n-1) on up to GOMAXPROCS goroutines (load time
// only: it allocates).
func parallelDo(n int, f func(i int)) {
	procs := runtime.GOMAXPROCS(0)
	if procs == 1 || n <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(procs, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
