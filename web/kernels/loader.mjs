// Instantiates a Go js/wasm program together with the simd128 kernel module
// (simd.wasm, assembled from simd.wat) that works directly on Go's memory.
//
// The kernel module imports Go's linear memory, so it can only be
// instantiated after Go's instance exists; Go, in turn, imports the kernels
// (//go:wasmimport simd ...). Trampolines break the cycle: Go's "simd"
// imports are small JS functions that forward to the kernel instance once
// it is there. `simd.available` answers 1 when the kernels were
// instantiated, 0 when the host has no WebAssembly SIMD (Go then falls back
// to its pure-Go kernels and never calls the others); `simd.relaxed`
// answers 1 when the f32 matrix product runs simd_relaxed.wasm (fused
// multiply-add, relaxed SIMD), 0 when it runs the plain simd128 form.
//
// Works in browsers, workers and Node 20. Usage:
//
//   import { instantiateWithKernels } from './kernels/loader.mjs';
//   const go = new Go();                       // from Go's wasm_exec.js
//   const { instance } = await instantiateWithKernels(goWasmBytes, go);
//   await go.run(instance);

const defaultKernelsURL = new URL('./simd.wasm', import.meta.url);
const defaultRelaxedURL = new URL('./simd_relaxed.wasm', import.meta.url);

// loadKernelBytes fetches simd.wasm (or another file) next to this file,
// or reads it from disk under Node, where fetch cannot read file: URLs.
export async function loadKernelBytes(url = defaultKernelsURL) {
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url));
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`simd kernels: fetching ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

// instantiateWithKernels compiles and instantiates the Go program (bytes,
// a Response, a promise of either, or a WebAssembly.Module) with go.importObject plus the "simd"
// imports, then instantiates the kernels on Go's memory.
// options.kernels: the bytes of simd.wasm (default: loadKernelBytes()),
// or null to run without kernels; options.relaxed: the bytes of
// simd_relaxed.wasm (default: loaded next to this file when the host
// validates relaxed SIMD), or null to keep the plain f32 product.
// Returns { instance, module, kernels, relaxed } where kernels is the
// kernel instance or null and relaxed says whether gemm_f32 is fused.
export async function instantiateWithKernels(goWasm, go, options = {}) {
  goWasm = await goWasm; // accept a promise (e.g. of fetch(...))
  let goModule;
  if (goWasm instanceof WebAssembly.Module) {
    goModule = goWasm;
  } else if (typeof Response !== 'undefined' && goWasm instanceof Response) {
    if (!goWasm.ok) throw new Error(`simd kernels: fetching ${goWasm.url}: HTTP ${goWasm.status}`);
    // compileStreaming needs Content-Type application/wasm; fall back to bytes
    goModule = await WebAssembly.compileStreaming(goWasm.clone())
      .catch(async () => WebAssembly.compile(await goWasm.arrayBuffer()));
  } else {
    goModule = await WebAssembly.compile(goWasm);
  }

  let kernelModule = null;
  let kernelBytes = options.kernels;
  if (kernelBytes === undefined) kernelBytes = await loadKernelBytes();
  if (kernelBytes && WebAssembly.validate(kernelBytes)) {
    kernelModule = await WebAssembly.compile(kernelBytes);
  }

  let relaxedModule = null;
  if (kernelModule) {
    let relaxedBytes = options.relaxed;
    if (relaxedBytes === undefined) {
      // probe with a one-instruction module before fetching the real one
      relaxedBytes = WebAssembly.validate(relaxedProbe) ? await loadKernelBytes(defaultRelaxedURL).catch(() => null) : null;
    }
    if (relaxedBytes && WebAssembly.validate(relaxedBytes)) relaxedModule = await WebAssembly.compile(relaxedBytes);
  }

  let kernels = null; // the kernels' exports (relaxed ones override), once instantiated
  const simdImports = {};
  for (const imp of WebAssembly.Module.imports(goModule)) {
    if (imp.module !== 'simd' || imp.kind !== 'function') continue;
    const name = imp.name;
    if (name === 'available') {
      simdImports.available = () => (kernels ? 1 : 0);
      continue;
    }
    if (name === 'relaxed') {
      simdImports.relaxed = () => (kernels && relaxedModule ? 1 : 0);
      continue;
    }
    if (kernelModule && !WebAssembly.Module.exports(kernelModule).some((e) => e.name === name)) {
      throw new Error(`simd kernels: Go imports simd.${name}, which simd.wasm does not export (stale simd.wasm?)`);
    }
    simdImports[name] = (...args) => {
      if (!kernels) throw new Error(`simd kernels: simd.${name} called but the kernels are not available`);
      return kernels[name](...args);
    };
  }
  const importObject = { ...go.importObject, simd: simdImports };
  const instance = await WebAssembly.instantiate(goModule, importObject);
  let kernelInstance = null;
  if (kernelModule) {
    const env = { env: { mem: instance.exports.mem } };
    kernelInstance = await WebAssembly.instantiate(kernelModule, env);
    kernels = { ...kernelInstance.exports };
    if (relaxedModule) Object.assign(kernels, (await WebAssembly.instantiate(relaxedModule, env)).exports);
  }
  return { instance, module: goModule, kernels: kernelInstance, relaxed: !!(kernelInstance && relaxedModule) };
}

// relaxedProbe: (module (func (param v128 v128 v128) (result v128)
// (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))
const relaxedProbe = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b,
  0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20,
  0x02, 0xfd, 0x85, 0x02, 0x0b,
]);
