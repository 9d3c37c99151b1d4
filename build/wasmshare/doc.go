// Package wasmshare rewrites a WebAssembly binary so that its linear memory
// is a shared memory imported from the host instead of one it defines.
//
// Go's js/wasm binaries define their own memory (section 5) and export it
// as "mem". Web Workers can only run kernels on that memory if it is a
// SharedArrayBuffer-backed WebAssembly.Memory created by the host, so the
// binary must import it: ShareMemory moves the memory from the memory
// section to an entry of the import section,
//
//	(import "env" "mem" (memory MIN MAX shared))
//
// keeping the export of memory index 0 (imported memories come first in
// the memory index space, and there is only one). Function, global and
// table indices do not change: a memory import does not shift them, so the
// code section is copied byte for byte. A module that already imports its
// memory (the simd128 kernels) gets its import's limits made shared with
// the same maximum.
//
// web/threads/sharemem.mjs does the same rewrite at load time in the
// browser; the test checks that both give identical bytes.
package wasmshare
