// Starts the demo's own server (`go run ./build serve`, built once into a
// temp dir) on a free loopback port, as the browser tests need it: the
// same headers (COOP/COEP, CSP, MIME types) users get.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { root } from './tiny.mjs';

// startServe builds the build tool into tmp and runs `serve -addr
// 127.0.0.1:0 ...extraArgs`; resolves to {server (the child process),
// origin} once it prints the address it serves.
export async function startServe(tmp, extraArgs = [], timeoutMs = 120000) {
  const bin = path.join(tmp, 'build-tool');
  execFileSync('go', ['build', '-o', bin, './build'], { cwd: root, stdio: 'inherit' });
  const server = spawn(bin, ['serve', '-addr', '127.0.0.1:0', ...extraArgs], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const origin = await new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`server did not start: ${out}`)), timeoutMs);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(t); resolve(m[1]); }
    });
    server.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  return { server, origin };
}
