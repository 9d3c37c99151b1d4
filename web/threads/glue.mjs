// Go's wasm_exec.js reads strings with TextDecoder straight from views of
// mem.buffer and fills crypto.getRandomValues into such views. Browsers
// refuse both on SharedArrayBuffer views ("The provided ArrayBufferView
// value must not be shared"), so when Go's memory is shared, these two
// calls must copy. patchGlueForSharedMemory wraps them once per realm
// (the Go worker's); non-shared inputs take the original path unchanged.
// Every other access in wasm_exec.js goes through DataView get/set or
// TypedArray.set, which work on shared memory, and Go calls
// runtime.resetMemoryDataView after each memory.grow, which refreshes its
// view of the (grown) SharedArrayBuffer.

const isShared = (v) => typeof SharedArrayBuffer !== 'undefined' && v && v.buffer instanceof SharedArrayBuffer;

export function patchGlueForSharedMemory() {
  const TD = globalThis.TextDecoder;
  if (TD && !TD.prototype.__siglipShared) {
    const decode = TD.prototype.decode;
    TD.prototype.decode = function (input, options) {
      if (isShared(input)) input = new Uint8Array(input.buffer, input.byteOffset, input.byteLength).slice();
      return decode.call(this, input, options);
    };
    Object.defineProperty(TD.prototype, '__siglipShared', { value: true });
  }
  const c = globalThis.crypto;
  if (c && typeof c.getRandomValues === 'function' && !c.__siglipShared) {
    const grv = c.getRandomValues.bind(c);
    const patched = (v) => {
      if (!isShared(v)) return grv(v);
      const tmp = new v.constructor(v.length);
      grv(tmp);
      v.set(tmp);
      return v;
    };
    try {
      Object.defineProperty(c, 'getRandomValues', { value: patched, configurable: true, writable: true });
      Object.defineProperty(c, '__siglipShared', { value: true });
    } catch { /* a frozen crypto: leave it; Go then fails loudly on first use */ }
  }
}
