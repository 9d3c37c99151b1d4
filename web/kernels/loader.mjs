// Instantiates a Go js/wasm program together with the simd128 kernel module
// (simd.wasm, assembled from simd.wat) and, where the host validates
// relaxed SIMD, simd_relaxed.wasm — both working directly on Go's memory.
//
// The kernel modules import Go's linear memory, so they can only be
// instantiated after Go's instance exists; Go, in turn, imports the kernels
// (//go:wasmimport simd … and simd_relaxed …). Trampolines break the cycle:
// Go's imports are small JS functions that forward to the kernel instance
// once it is there. Go asks what the host has through "kernelhost"
// (kernelHostImports): `simd` and `relaxed` answer whether each module was
// instantiated, `threads` answers 1 here. Go decides which forms run
// (kernel/simd_js.go's wasmForms); this file only provides them.
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

  let plain = null, relaxed = null; // the instances' exports, once instantiated
  const host = kernelHostImports({
    simd: () => (plain ? 1 : 0),
    relaxed: () => (plain && relaxed ? 1 : 0),
    threads: () => 1,
  });
  const importObject = {
    ...go.importObject,
    kernelhost: host,
    ...kernelTrampolines(goModule, { simd: kernelModule, simd_relaxed: relaxedModule }, (mod, name) => {
      return (...args) => {
        const exp = mod === 'simd' ? plain : relaxed;
        if (!exp) throw new Error(`simd kernels: ${mod}.${name} called but that module is not available`);
        return exp[name](...args);
      };
    }),
  };
  const instance = await WebAssembly.instantiate(goModule, importObject);
  let kernelInstance = null;
  if (kernelModule) {
    const env = { env: { mem: instance.exports.mem } };
    kernelInstance = await WebAssembly.instantiate(kernelModule, env);
    plain = kernelInstance.exports;
    if (relaxedModule) relaxed = (await WebAssembly.instantiate(relaxedModule, env)).exports;
  }
  return { instance, module: goModule, kernels: kernelInstance, relaxed: !!(kernelInstance && relaxedModule) };
}

// KERNEL_MODULES: the import modules of Go's kernels and the file each
// one's exports come from.
export const KERNEL_MODULES = { simd: 'simd.wasm', simd_relaxed: 'simd_relaxed.wasm' };

// kernelHostImports returns Go's "kernelhost" imports (kernel/simd_split_js.go
// declares them): the given answers, and for one thread split calls that
// simply run in order (Go asks for none when threads is 1).
export function kernelHostImports({ simd, relaxed, threads, minSplitWork = -1, split = {} }) {
  return {
    simd, relaxed, threads,
    min_split_work: () => minSplitWork,
    split_begin: split.begin ?? (() => {}),
    split_next: split.next ?? (() => {}),
    split_end: split.end ?? (() => {}),
  };
}

// kernelTrampolines returns, for each kernel import module of goModule
// (KERNEL_MODULES), an object of Go's imports made by make(module, name).
// It throws when Go imports a function the module (given compiled, or
// null when the host does not run it) lacks: a stale .wasm.
export function kernelTrampolines(goModule, modules, make) {
  const out = {};
  for (const mod of Object.keys(KERNEL_MODULES)) out[mod] = {};
  for (const imp of WebAssembly.Module.imports(goModule)) {
    if (!(imp.module in KERNEL_MODULES) || imp.kind !== 'function') continue;
    const m = modules[imp.module];
    if (m && !WebAssembly.Module.exports(m).some((e) => e.name === imp.name)) {
      throw new Error(`simd kernels: Go imports ${imp.module}.${imp.name}, which ${KERNEL_MODULES[imp.module]} does not export (stale simd.wasm?)`);
    }
    out[imp.module][imp.name] = make(imp.module, imp.name);
  }
  return out;
}

// relaxedProbe: (module (func (param v128 v128 v128) (result v128)
// (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))
const relaxedProbe = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b,
  0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20,
  0x02, 0xfd, 0x85, 0x02, 0x0b,
]);
