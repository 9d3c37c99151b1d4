// Images that declare more pixels than the limits allow (imageproc's
// MaxPixels), made here rather than kept in the repository: a PNG
// "decompression bomb" (issue 14, row 1) and a real 40-megapixel JPEG.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { root } from './tiny.mjs';

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

// bombPNG: an 8-bit greyscale PNG of width×height whose IDAT is all zeros
// (every row filter 0, every pixel black): 16000×16000 compresses to about
// 249 KB and decodes to 256 MB of grey, 1 GB as RGBA.
export function bombPNG(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((width + 1) * height);
  const idat = zlib.deflateSync(raw, { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

// bigJPEG writes a real width×height greyscale JPEG (a smooth gradient,
// encoded by Go's image/jpeg) into dir and returns its bytes.
export function bigJPEG(dir, width, height) {
  const src = path.join(dir, 'mkjpeg');
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(path.join(src, 'main.go'), `package main

import (
	"image"
	"image/jpeg"
	"os"
	"strconv"
)

func main() {
	w, _ := strconv.Atoi(os.Args[2])
	h, _ := strconv.Atoi(os.Args[3])
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Pix[y*m.Stride+x] = uint8((x*255/w + y*255/h) / 2)
		}
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := jpeg.Encode(f, m, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}
`);
  const out = path.join(dir, `big-${width}x${height}.jpg`);
  execFileSync('go', ['run', path.join(src, 'main.go'), out, String(width), String(height)], { cwd: root, stdio: 'inherit' });
  return fs.readFileSync(out);
}
