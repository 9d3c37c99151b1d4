// The control block shared by the calling thread and the kernel workers:
// an Int32Array header over a SharedArrayBuffer (separate from Go's memory,
// so Go's allocator never sees it).
//
//   GEN   bumped by the caller for each split call; workers Atomics.wait on it
//   DONE  workers add 1 when their part is finished; the caller waits on it
//   STOP  1: workers leave their loop
//   ERROR worker index+1 of a part that trapped (0: none)
//
// Then, as a Float64Array from byte SLOT_BASE_BYTES, one slot of SLOT
// float64s per worker: worker w's part of a split call, as Go recorded it
// (kernel/simd_split_js.go): [number of calls, then per call: function
// code (kernelFunctions), argc, args…]. Every i32 and f32 argument is
// exact as a float64.
export const C = { GEN: 0, DONE: 16, STOP: 32, ERROR: 33 };
export const SLOT_BASE_BYTES = 192;
export const SLOT = 4096; // 32 KiB: up to ~270 kernel calls per part
export const MAX_THREADS = 16; // kernel/simd_split_js.go's maxKernelThreads
export const CTRL_BYTES = SLOT_BASE_BYTES + SLOT * 8 * MAX_THREADS;

// kernelFunctions lists the kernels' functions in a fixed order, the same
// on every thread: [module name, export name, function] for each function
// export of the plain module, then of the relaxed one (when given; its
// functions are null where relaxed is null). A split call names a
// function by its index here (its code).
export function kernelFunctions(plainModule, plain, relaxedModule, relaxed) {
  const out = [];
  for (const [mod, m, exp] of [['simd', plainModule, plain], ['simd_relaxed', relaxedModule, relaxed]]) {
    if (!m) continue;
    for (const e of WebAssembly.Module.exports(m)) {
      if (e.kind === 'function') out.push([mod, e.name, exp ? exp[e.name] : null]);
    }
  }
  return out;
}

// SPIN_MS: how long a waiting side polls before it sleeps in Atomics.wait
// (waking from a futex costs tens of microseconds; a forward pass makes
// hundreds of split calls a few hundred microseconds apart).
export const SPIN_MS = 0.2;
