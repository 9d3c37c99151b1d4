// The peer's side of `go run ./build benchnative`: onnxruntime-node (its
// packaged native library, CPU execution provider) runs one refilled
// base-256 ONNX graph on the given input at a fixed thread count and
// prints one JSON line: {"setup_ms":…,"runs":[ms…],"cpu_runs":[ms…]}.
// Usage: node build/benchnative.mjs MODEL INPUT_FILE NAME DTYPE DIMS THREADS WARMUP RUNS
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';

const [model, inputFile, name, dtype, dims, threads, warmup, runs] = process.argv.slice(2);
if (!runs) {
  console.error('usage: node build/benchnative.mjs MODEL INPUT NAME DTYPE DIMS THREADS WARMUP RUNS');
  process.exit(2);
}
const raw = readFileSync(inputFile);
const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
const data = dtype === 'int64' ? new BigInt64Array(buf) : new Float32Array(buf);
const shape = dims.split('x').map(Number);
const t0 = performance.now();
const session = await ort.InferenceSession.create(model, {
  executionProviders: ['cpu'],
  intraOpNumThreads: Number(threads),
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const setupMs = performance.now() - t0;
const feeds = { [name]: new ort.Tensor(dtype, data, shape) };
for (let i = 0; i < Number(warmup); i++) await session.run(feeds);
const times = [];
const cpu = [];
for (let i = 0; i < Number(runs); i++) {
  const c0 = process.cpuUsage();
  const s = performance.now();
  await session.run(feeds);
  times.push(performance.now() - s);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
await session.release();
process.stdout.write(JSON.stringify({ setup_ms: setupMs, runs: times, cpu_runs: cpu }) + '\n');
