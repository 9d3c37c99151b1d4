// Node runner for Go js/wasm binaries with the simd128 kernels: Go's
// wasm_exec_node.js, with instantiation going through
// web/kernels/loader.mjs — or, when SIGLIP_THREADS is set, through
// web/threads/threaded.mjs, the kernels split over that many threads on a
// shared memory (SIGLIP_THREADS_MIN_WORK=0 splits every call, however small;
// SIGLIP_THREADS_STATS and SIGLIP_THREADS_PROFILE print counts and times).
// Invoked by ./go_js_wasm_exec and ../wasmshare/exec/go_js_wasm_exec.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { instantiateWithKernels } from '../../web/kernels/loader.mjs';
import { instantiateThreaded } from '../../web/threads/threaded.mjs';

if (process.argv.length < 3) {
  console.error('usage: go_js_wasm_exec [wasm binary] [arguments]');
  process.exit(1);
}
const require = createRequire(import.meta.url);
globalThis.require = require;
globalThis.fs = require('fs');
globalThis.path = require('path');
globalThis.TextEncoder = require('util').TextEncoder;
globalThis.TextDecoder = require('util').TextDecoder;
globalThis.performance ??= require('perf_hooks').performance;
globalThis.crypto ??= require('crypto');
require(process.env.GO_WASM_EXEC_JS);

const go = new globalThis.Go();
go.argv = process.argv.slice(2);
go.env = Object.assign({ TMPDIR: os.tmpdir() }, process.env);
go.exit = process.exit;
try {
  const wasm = readFileSync(process.argv[2]);
  let r;
  if (process.env.SIGLIP_THREADS) {
    const mw = process.env.SIGLIP_THREADS_MIN_WORK;
    r = await instantiateThreaded(wasm, go, { threads: Number(process.env.SIGLIP_THREADS), minWork: mw === undefined ? undefined : Number(mw) });
  } else {
    // SIGLIP_SIMD=off runs without the kernel module, as on a host without
    // WebAssembly SIMD: Go must fall back to its pure-Go kernels.
    r = await instantiateWithKernels(wasm, go, process.env.SIGLIP_SIMD === 'off' ? { kernels: null } : {});
  }
  process.on('exit', (code) => { // Node exits if no event handler is pending
    if (process.env.SIGLIP_THREADS_STATS) console.error(`threads: ${r.threads}, split calls ${r.pool?.stats.split ?? 0}, local ${r.pool?.stats.local ?? 0}`);
    if (r.pool?.profile) console.error('kernel ms on Go\'s thread:', JSON.stringify(Object.fromEntries(Object.entries(r.pool.profile).map(([k, v]) => [k, `${v.n} calls ${v.ms.toFixed(0)} ms`]))));
    if (code === 0 && !go.exited) {
      // deadlock: make Go print the error and stack traces
      go._pendingEvent = { id: 0 };
      go._resume();
    }
  });
  await go.run(r.instance);
  await r.close?.();
} catch (err) {
  console.error(err);
  process.exit(1);
}
