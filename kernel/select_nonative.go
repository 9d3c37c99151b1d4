package kernel

// nativeForms returns the native forms of this GOARCH, best first, after
// probing the CPU. None yet: native amd64/arm64 forms define nativeForms in
// their own files and restrict this one's build tag to the other
// architectures (//go:build !amd64 && !arm64).
func nativeForms() []kernelForm { return nil }
