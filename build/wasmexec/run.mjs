// Node runner for Go js/wasm binaries with the simd128 kernels: Go's
// wasm_exec_node.js, with instantiation going through
// web/kernels/loader.mjs. Invoked by ./go_js_wasm_exec.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { instantiateWithKernels } from '../../web/kernels/loader.mjs';

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
  // SIGLIP_SIMD=off runs without the kernel module, as on a host without
  // WebAssembly SIMD: Go must fall back to its pure-Go kernels.
  const options = process.env.SIGLIP_SIMD === 'off' ? { kernels: null } : {};
  const { instance } = await instantiateWithKernels(readFileSync(process.argv[2]), go, options);
  process.on('exit', (code) => { // Node exits if no event handler is pending
    if (code === 0 && !go.exited) {
      // deadlock: make Go print the error and stack traces
      go._pendingEvent = { id: 0 };
      go._resume();
    }
  });
  await go.run(instance);
} catch (err) {
  console.error(err);
  process.exit(1);
}
