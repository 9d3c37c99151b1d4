// Package refdata loads the reference arrays that transformers produced
// (testdata/, copied from ../shared/refdata with its provenance in
// testdata/README.md) for tests and benchmarks: NumPy .npy and .npz files,
// converted to the Go types the tests compare against.
//
// It is test support: nothing in the runtime imports it.
package refdata
