// Instantiates a Go js/wasm program together with the simd128 kernel module
// (simd.wasm, assembled from simd.wat) that works directly on Go's memory.
//
// The kernel module imports Go's linear memory, so it can only be
// instantiated after Go's instance exists; Go, in turn, imports the kernels
// (//go:wasmimport simd ...). Trampolines break the cycle: Go's "simd"
// imports are small JS functions that forward to the kernel instance once
// it is there. `simd.available` answers 1 when the kernels were
// instantiated, 0 when the host has no WebAssembly SIMD (Go then falls back
// to its pure-Go kernels and never calls the others).
//
// Works in browsers, workers and Node 20. Usage:
//
//   import { instantiateWithKernels } from './kernels/loader.mjs';
//   const go = new Go();                       // from Go's wasm_exec.js
//   const { instance } = await instantiateWithKernels(goWasmBytes, go);
//   await go.run(instance);

const defaultKernelsURL = new URL('./simd.wasm', import.meta.url);

// loadKernelBytes fetches simd.wasm next to this file (or reads it from
// disk under Node, where fetch cannot read file: URLs).
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
// a Response, or a WebAssembly.Module) with go.importObject plus the "simd"
// imports, then instantiates the kernels on Go's memory.
// options.kernels: the bytes of simd.wasm (default: loadKernelBytes()),
// or null to run without kernels.
// Returns { instance, module, kernels } where kernels is the kernel
// instance or null.
export async function instantiateWithKernels(goWasm, go, options = {}) {
  let goModule;
  if (goWasm instanceof WebAssembly.Module) goModule = goWasm;
  else if (typeof Response !== 'undefined' && goWasm instanceof Response) goModule = await WebAssembly.compileStreaming(goWasm);
  else goModule = await WebAssembly.compile(goWasm);

  let kernelModule = null;
  let kernelBytes = options.kernels;
  if (kernelBytes === undefined) kernelBytes = await loadKernelBytes();
  if (kernelBytes && WebAssembly.validate(kernelBytes)) {
    kernelModule = await WebAssembly.compile(kernelBytes);
  }

  let kernels = null; // the kernel instance's exports, once instantiated
  const simdImports = {};
  for (const imp of WebAssembly.Module.imports(goModule)) {
    if (imp.module !== 'simd' || imp.kind !== 'function') continue;
    const name = imp.name;
    if (name === 'available') {
      simdImports.available = () => (kernels ? 1 : 0);
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
    kernelInstance = await WebAssembly.instantiate(kernelModule, { env: { mem: instance.exports.mem } });
    kernels = kernelInstance.exports;
  }
  return { instance, module: goModule, kernels: kernelInstance };
}
