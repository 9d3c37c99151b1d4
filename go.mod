module github.com/siglip-wasm/siglip-wasm

go 1.26.0

require (
	github.com/x448/float16 v0.8.4
	golang.org/x/image v0.48.0
)
