// Node runner for Go js/wasm binaries with the simd128 kernels split over
// kernel worker threads on a shared memory (web/threads/threaded.mjs):
// build/wasmexec/run.mjs with instantiateThreaded. Invoked by
// ./go_js_wasm_exec. SIGLIP_THREADS=N (default 2) sets the thread count;
// SIGLIP_THREADS_MIN_WORK=0 splits every call, however small (tests).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { instantiateThreaded } from '../../../web/threads/threaded.mjs';

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
  const threads = Number(process.env.SIGLIP_THREADS || 2);
  const mw = process.env.SIGLIP_THREADS_MIN_WORK;
  const r = await instantiateThreaded(readFileSync(process.argv[2]), go, { threads, minWork: mw === undefined ? undefined : Number(mw) });
  process.on('exit', (code) => {
    if (process.env.SIGLIP_THREADS_STATS) console.error(`threads: ${r.threads}, split calls ${r.pool?.stats.split ?? 0}, local ${r.pool?.stats.local ?? 0}`);
    if (r.pool?.profile) console.error('kernel ms on Go\'s thread:', JSON.stringify(Object.fromEntries(Object.entries(r.pool.profile).map(([k, v]) => [k, `${v.n} calls ${v.ms.toFixed(0)} ms`]))));
    if (code === 0 && !go.exited) {
      go._pendingEvent = { id: 0 };
      go._resume();
    }
  });
  await go.run(r.instance);
  await r.close();
} catch (err) {
  console.error(err);
  process.exit(1);
}
