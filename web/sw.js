// The page's service worker: keeps the page itself (HTML, scripts, the Go
// wasm module, samples) available offline. Network first, so a rebuilt
// module or edited script is used as soon as the server has it; the cache
// answers when the network does not. Model files are not handled here: the
// page keeps them in its own Cache API store ('siglip-models-v1').
const SHELL = 'siglip-shell-v1';
const CORE = [
  './', 'index.html', 'web/app.js', 'web/app.css',
  ...['dom', 'store', 'labels', 'tabs', 'classify', 'tag', 'search'].map((f) => `web/app/${f}.js`), 'web/siglip.js', 'web/worker.js',
  'web/dist/siglip.wasm', 'web/dist/wasm_exec.js', 'web/presets.json', 'web/icon.svg',
  'web/kernels/loader.mjs', 'web/kernels/simd.wasm', 'web/kernels/simd_relaxed.wasm',
  ...['threaded', 'pool', 'ops', 'control', 'sharemem', 'glue', 'kernel_worker'].map((f) => `web/threads/${f}.mjs`),
].map((p) => new URL(`../${p}`, self.location.href).href);

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    // One by one: a missing optional file must not stop the others.
    await Promise.all(CORE.map((u) => cache.add(u).catch(() => {})));
    // The bundled sample images, listed in presets.json.
    try {
      const res = await fetch(new URL('presets.json', self.location.href));
      const { samples } = await res.json();
      await Promise.all(samples.map((s) => cache.add(new URL(`samples/${s.file}`, self.location.href)).catch(() => {})));
    } catch { /* offline at install: the runtime cache fills in later */ }
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

function isModel(url) { return url.pathname.endsWith('.siglip'); }

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || isModel(url)) return;
  event.respondWith((async () => {
    const cache = await caches.open(SHELL);
    try {
      const res = await fetch(req);
      if (res.ok && res.status === 200) await cache.put(req, res.clone());
      return res;
    } catch (err) {
      const hit = await cache.match(req, { ignoreSearch: true });
      if (hit) return hit;
      throw err;
    }
  })());
});
