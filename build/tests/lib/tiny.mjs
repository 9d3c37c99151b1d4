// Shared by the tests that check the tiny model's goldens from transformers
// through the JS API (api_node.test.mjs under Node, api_chromium.test.mjs in
// headless Chromium): an .npz reader and the tiny model file maker.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// readNPZ reads a NumPy .npz (stored or deflated members) into
// {name: {shape, data}}, names without ".npy"; <f4, <f8 and <i8 only.
// 2-D Fortran-ordered arrays are turned row-major.
export function readNPZ(file) {
  const buf = fs.readFileSync(file);
  let eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = {};
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    const data0 = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(data0, data0 + csize);
    const npy = method === 8 ? zlib.inflateRawSync(raw) : raw;
    const hlen = npy.readUInt16LE(8);
    const header = npy.toString('latin1', 10, 10 + hlen);
    const descr = header.match(/'descr': '([^']+)'/)[1];
    const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    const fortran = /'fortran_order': True/.test(header);
    const body = npy.subarray(10 + hlen);
    const copy = new Uint8Array(body).buffer;
    let data = { '<f4': Float32Array, '<f8': Float64Array, '<i8': BigInt64Array }[descr];
    data = new data(copy);
    if (fortran && shape.length === 2) {
      const [r, c] = shape;
      const t = new data.constructor(data.length);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[i * c + j] = data[j * r + i];
      data = t;
    }
    out[name.replace(/\.npy$/, '')] = { shape, data };
  }
  return out;
}

// makeTinyModelFile writes testdata/tiny (with the XLNet vocabulary its
// goldens were tokenised with) as one model file in tmp, in the weight
// scheme asked for (f32 by default; f16, q8, q4), through package
// modelfile (a throwaway main in tmp, run inside this module). Returns
// {file}, or {skip} while the modelfile package is not in this tree. Made
// once per tmp directory and scheme.
const tinyMade = new Map();
export function makeTinyModelFile(tmp, scheme = 'f32') {
  if (!fs.existsSync(path.join(root, 'modelfile'))) return { skip: 'package modelfile is not in this tree yet' };
  const key = `${tmp}\0${scheme}`;
  if (tinyMade.has(key)) return tinyMade.get(key);
  const dir = path.join(tmp, 'mktiny');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.go'), `package main

import (
	"bytes"
	"os"

	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

func main() {
	cfg, err := os.ReadFile("testdata/tiny/config.json")
	check(err)
	st, err := os.ReadFile("testdata/tiny/model.safetensors")
	check(err)
	tok, err := os.ReadFile("testdata/tokenizer/xlnet-base-cased-spiece.model")
	check(err)
	f, err := safetensors.Parse(st)
	check(err)
	var b bytes.Buffer
	check(modelfile.Write(&b, weights.Specs, cfg, tok, "spiece.model", modelfile.FromSafetensors(f), os.Args[2]))
	check(os.WriteFile(os.Args[1], b.Bytes(), 0o644))
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
`);
  const out = path.join(tmp, `tiny-${scheme}.siglip`);
  execFileSync('go', ['run', path.join(dir, 'main.go'), out, scheme], { cwd: root, stdio: 'inherit' });
  const made = { file: out };
  tinyMade.set(key, made);
  return made;
}
