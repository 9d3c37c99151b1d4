// Drives the benchmark page in headless Chromium (playwright-core, Debian's
// chromium) and prints one JSON line per event on stdout:
//   {"type":"result","case":…,"threads":N,…,"page_load_ms":…,"peak_pss_mb":…}
//   {"type":"foreign","url":…}   a request to another origin (aborted)
//   {"type":"error","message":…}
// Usage: node build/bench/run.mjs --url http://127.0.0.1:PORT/build/bench/page.html
//          --cases vision-q8,text-q8 [--threads 1,2,max] [--chromium /usr/bin/chromium] [--timeout-ms N]
//          [--js-flags 'V8 FLAGS'] [--norelaxed 1]   (a CPU profile: go run ./build bench -cpu)
// Each (thread count, case) gets a fresh page, in which ours and the peer run
// side by side: onnxruntime-web fixes its thread count when its wasm module
// starts, once per page, and a wasm heap never shrinks.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = { threads: '1', cases: '', chromium: '/usr/bin/chromium', 'timeout-ms': '1800000', 'js-flags': '', norelaxed: '0' };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '');
  if (!(k in args) && k !== 'url') die(`unknown flag ${process.argv[i]}`);
  args[k] = process.argv[i + 1];
}
if (!args.url || !args.cases) die('--url and --cases are required');
const origin = new URL(args.url).origin;

function emit(obj) { process.stdout.write(JSON.stringify(obj) + '\n'); }
function die(msg) { emit({ type: 'error', message: msg }); process.exit(1); }

// Memory of Chromium: the browser process and all its descendants (renderer,
// GPU/utility processes), summed from /proc. Proportional set size (Pss, from
// smaps_rollup) shares each shared page among the processes mapping it, so
// the shared libraries are not counted once per process as VmRSS would.
function treeMemBytes(rootPid) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch { /* process gone */ }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    try {
      let m = null;
      try { m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')); } catch { /* older kernel */ }
      if (!m) m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch { /* gone */ }
    stack.push(...(kids.get(pid) || []));
  }
  return total;
}

const userDataDir = mkdtempSync(join(tmpdir(), 'siglip-bench-'));
let context;
let failed = false;
const deadline = setTimeout(() => {
  emit({ type: 'error', message: `benchmark timed out after ${args['timeout-ms']} ms` });
  cleanup().then(() => process.exit(1));
}, Number(args['timeout-ms']));

async function cleanup() {
  try { if (context) await context.close(); } catch { /* already closed */ }
  rmSync(userDataDir, { recursive: true, force: true });
}

try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: args.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // Network-level guard behind the route below: no host but ours resolves,
      // so nothing (a worker's fetch included) can leave the machine.
      `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${new URL(origin).hostname}`,
      ...(args['js-flags'] ? [`--js-flags=${args['js-flags']}`] : [])],
  });
  // Every request leaving the page's origin is recorded (here) and refused
  // (the route); data: and blob: URLs stay inside the page.
  const foreign = (u) => !/^(data|blob):/.test(u) && new URL(u).origin !== origin;
  await context.route((url) => foreign(url.href), (route) => route.abort());
  context.on('request', (req) => {
    if (foreign(req.url())) {
      emit({ type: 'foreign', url: req.url() });
      failed = true;
    }
  });
  // The browser's pid: playwright launches chromium as our direct child.
  const browserPid = findChromiumPid();

  const cases = args.cases.split(',');
  const memMB = () => (browserPid ? treeMemBytes(browserPid) / 2 ** 20 : 0);
  outer: for (const threads of args.threads.split(',')) {
    for (const name of cases) {
      if (!(await runPage(context, threads, name, memMB))) break outer;
    }
  }
} catch (e) {
  emit({ type: 'error', message: `driver: ${e.message}` });
  failed = true;
}
clearTimeout(deadline);
await cleanup();
process.exit(failed ? 1 : 0);

// runPage runs one case at one thread count in a fresh page, so that every
// case starts from an empty wasm heap (wasm memory never shrinks) and its
// memory figures are its own. Memory marks: Pss of all Chromium processes
// when the case starts (base), once the peer's session is ready, once ours
// is ready, and the peak (sampled every 250 ms until the timed runs, and at
// each mark and the end).
async function runPage(context, threads, name, memMB) {
  // Let the previous page's renderer exit before taking a baseline.
  await new Promise((r) => setTimeout(r, 500));
  const page = await context.newPage();
  let peak = memMB();
  const marks = {};
  // Reading smaps_rollup walks the page tables of GB-sized processes: the
  // sampler pauses while the page times runs, so it does not steal CPU from
  // them (the heap is at its peak size by then and is read again at the end).
  let timing = false;
  const sampler = setInterval(() => { if (!timing) peak = Math.max(peak, memMB()); }, 250);
  const done = new Promise((resolve, reject) => {
    page.on('pageerror', (e) => reject(new Error(`page error: ${e.message}`)));
    page.on('crash', () => reject(new Error('page crashed (out of memory?)')));
    page.on('console', (m) => { if (m.type() === 'error') process.stderr.write(`page console: ${m.text()}\n`); });
    page.exposeFunction('benchReport', (o) => {
      if (o.type === 'mark') {
        marks[o.name] = memMB();
        peak = Math.max(peak, marks[o.name]);
        timing = o.name === 'timing';
        return;
      }
      if (o.type === 'error') { reject(new Error(o.message)); return; }
      if (o.type === 'result') {
        peak = Math.max(peak, memMB());
        o.peak_pss_mb = peak;
        o.base_pss_mb = marks.base;
        if (marks['peer-ready'] !== undefined) o.peer_pss_mb = marks['peer-ready'] - marks.base;
        if (marks['ours-ready'] !== undefined) o.ours_pss_mb = marks['ours-ready'] - marks['peer-ready'];
        emit(o);
        resolve();
      }
    }).then(() => page.goto(`${args.url}?threads=${encodeURIComponent(threads)}&case=${encodeURIComponent(name)}${args.norelaxed === '1' ? '&norelaxed=1' : ''}`)).catch(reject);
  });
  try {
    await done;
    return true;
  } catch (e) {
    emit({ type: 'error', message: `${name}, threads=${threads}: ${e.message}` });
    failed = true;
    return false;
  } finally {
    clearInterval(sampler);
    await page.close().catch(() => {});
  }
}

// findChromiumPid returns the pid of the chromium process whose parent is us.
function findChromiumPid() {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && /chrom/i.test(readFileSync(`/proc/${d}/cmdline`, 'utf8'))) return Number(d);
    } catch { /* gone */ }
  }
  return 0;
}
