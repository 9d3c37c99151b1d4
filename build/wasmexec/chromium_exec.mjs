// Runs a Go js/wasm binary (e.g. a test binary) in headless Chromium with
// the simd128 kernels wired in through web/kernels/loader.mjs — the same
// path the browser worker takes. Usable as a go test -exec runner:
//
//   GOOS=js GOARCH=wasm go test -tags simd -exec=$PWD/build/wasmexec/chromium_exec ./kernel/
//
// Serves the binary, Go's wasm_exec.js and web/kernels/ from 127.0.0.1,
// forwards the program's output, and exits with its exit code.
// CHROMIUM overrides /usr/bin/chromium; SIGLIP_SIMD=off withholds the kernels,
// SIGLIP_RELAXED=off the relaxed-SIMD module; SIGLIP_JS_FLAGS are V8 flags
// (e.g. the CPU profiles of go run ./build bench -cpu: --no-enable-avx-vnni …).
// The page has no file system (wasm_exec.js's browser stubs): tests that
// read files fail here and belong under go_js_wasm_exec (Node).
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [binary, ...goArgs] = process.argv.slice(2);
if (!binary) {
  console.error('usage: chromium_exec [wasm binary] [arguments]');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const wasmExecJS = process.env.GO_WASM_EXEC_JS ||
  path.join(execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim(), 'lib', 'wasm', 'wasm_exec.js');
const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

const page = `<!doctype html><meta charset="utf-8"><script src="/wasm_exec.js"></script>
<script type="module">
import { instantiateWithKernels } from '/web/kernels/loader.mjs';
const go = new Go();
go.argv = ${JSON.stringify([path.basename(binary), ...goArgs])};
go.env = ${JSON.stringify({ SIGLIP_SIMD: process.env.SIGLIP_SIMD || '', SIGLIP_RELAXED: process.env.SIGLIP_RELAXED || '', HOME: '/', TMPDIR: '/tmp' })};
go.exit = (code) => window.goExit(code);
const options = go.env.SIGLIP_SIMD === 'off' ? { kernels: null } : go.env.SIGLIP_RELAXED === 'off' ? { relaxed: null } : {};
try {
  const { instance, relaxed } = await instantiateWithKernels(fetch('/program.wasm'), go, options);
  console.log('[chromium_exec] ' + navigator.userAgent.match(/Chrome\\/[\\d.]+/)[0] + (relaxed ? ', relaxed SIMD' : ''));
  await go.run(instance);
} catch (e) {
  console.log(String(e && e.stack || e));
  window.goExit(1);
}
</script>`;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  let file;
  if (url.pathname === '/') { res.writeHead(200, { 'content-type': 'text/html' }); res.end(page); return; }
  if (url.pathname === '/program.wasm') file = path.resolve(binary);
  else if (url.pathname === '/wasm_exec.js') file = wasmExecJS;
  else if (url.pathname.startsWith('/web/kernels/')) file = path.join(root, path.normalize(url.pathname));
  try {
    if (!file) throw new Error('not served');
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404); res.end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));

const require = createRequire(path.join(root, 'build', 'package.json'));
const { chromium } = require('playwright-core');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', ...(process.env.SIGLIP_JS_FLAGS ? [`--js-flags=${process.env.SIGLIP_JS_FLAGS}`] : [])] });
let code = 1;
try {
  const tab = await browser.newPage();
  let fail;
  let exited = false; // after exit, wasm_exec may still report a late callback: ignore it
  const done = new Promise((resolve) => { fail = (c) => { if (!exited) { exited = true; resolve(c); } }; });
  await tab.exposeFunction('goExit', (c) => fail(c));
  tab.on('console', (m) => console.log(m.text()));
  // an uncaught error or a crash ends the run, rather than waiting forever
  tab.on('pageerror', (e) => { if (!exited) { console.error(`[chromium_exec] page error: ${e}`); fail(1); } });
  tab.on('crash', () => { console.error('[chromium_exec] the page crashed'); fail(1); });
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  code = await done;
} finally {
  await browser.close();
  server.close();
}
process.exit(code);
