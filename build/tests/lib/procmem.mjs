// Memory of a Chromium's renderer processes, read from /proc (Linux): the
// browser tests that bound what the page costs (decoding limits, model
// loading) measure the renderer itself, not what JS can see of its heap.
import fs from 'node:fs';

function statusKB(pid, field) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : 0;
}

// rendererMemory(profileDir) → {rssMB, peakMB, pids}: the summed resident
// memory of the renderers (not the browser UI's own) of the Chromium
// started with --user-data-dir=profileDir, and the largest one's peak
// (VmHWM). Dedicated workers run inside their page's renderer, so the
// SigLIP worker's Go heap is counted.
export function rendererMemory(profileDir) {
  let rss = 0;
  let peak = 0;
  const pids = [];
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let cmd;
    // Chromium rewrites its argv (one string, spaces between arguments).
    try { cmd = ` ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')} `; } catch { continue; }
    if (!cmd.includes(' --type=renderer ') || cmd.includes(' --top-chrome-webui ')) continue;
    if (!cmd.includes(` --user-data-dir=${profileDir} `)) continue;
    try {
      rss += statusKB(pid, 'VmRSS');
      peak = Math.max(peak, statusKB(pid, 'VmHWM'));
      pids.push(Number(pid));
    } catch { /* exited meanwhile */ }
  }
  if (!pids.length) throw new Error(`no renderer process of the Chromium with profile ${profileDir} found in /proc`);
  return { rssMB: rss / 1024, peakMB: peak / 1024, pids };
}
