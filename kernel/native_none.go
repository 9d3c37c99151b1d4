//go:build !amd64 && !arm64

package kernel

// nativeProbe: no native levels on this GOARCH (js/wasm among them).
func nativeProbe() []*nativeKernels { return nil }
