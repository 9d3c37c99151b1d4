// Drives build/bench/webgpu.html (go run ./build bench -backend webgpu) in
// headless Chromium and prints JSON lines on stdout:
//   {"type":"result",...} | {"type":"foreign","url":…} | {"type":"error","message":…}
// --gpu 0: WebGPU on SwiftShader (software); --gpu 1: the machine's GPU.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = { chromium: '/usr/bin/chromium', 'timeout-ms': '1800000', gpu: '0' };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '');
  if (!(k in args) && k !== 'url') die(`unknown flag ${process.argv[i]}`);
  args[k] = process.argv[i + 1];
}
function emit(obj) { process.stdout.write(JSON.stringify(obj) + '\n'); }
function die(msg) { emit({ type: 'error', message: msg }); process.exit(1); }
if (!args.url) die('--url is required');
const origin = new URL(args.url).origin;

const gpuArgs = args.gpu === '1'
  ? ['--enable-unsafe-webgpu', '--ignore-gpu-blocklist', '--enable-features=Vulkan']
  : ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-webgpu-adapter=swiftshader'];
const profile = mkdtempSync(join(tmpdir(), 'siglip-bench-webgpu-'));
let ctx;
try {
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: args.chromium, headless: true,
    args: ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', ...gpuArgs],
  });
  await ctx.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin + '/') || u.startsWith('blob:') || u.startsWith('data:')) return route.continue();
    emit({ type: 'foreign', url: u });
    return route.abort();
  });
  const page = ctx.pages()[0] ?? await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') process.stderr.write(`page ${m.type()}: ${m.text()}\n`); });
  page.setDefaultTimeout(Number(args['timeout-ms']));
  await page.goto(args.url);
  await page.waitForFunction(() => typeof globalThis.runWebGPUBench === 'function');
  emit(await page.evaluate(() => globalThis.runWebGPUBench()));
} catch (err) {
  emit({ type: 'error', message: String(err?.message ?? err) });
} finally {
  await ctx?.close();
  rmSync(profile, { recursive: true, force: true });
}
