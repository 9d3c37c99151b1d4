//go:build !siglip_engine

package main

import "errors"

// openEngine loads a model file. This build has no model runtime yet: the
// model/, modelfile/, tokenizer/ and imageproc/ packages have not landed, so
// loading fails with a plain message instead of pretending to work.
// engine_siglip.go replaces this file once they exist.
func openEngine(data []byte) (engine, error) {
	return nil, errors.New("this build of siglip.wasm has no model runtime yet (the model and modelfile packages are not in this build)")
}
