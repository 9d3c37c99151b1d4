#!/usr/bin/python3
"""Makes the held-out JPEG test set of testdata/jpeg/ and PIL's references for it.

Run from the repository root with Debian 12's python3-pil (Pillow 9.4.0 on
libjpeg-turbo 2.1.5) and libjpeg-turbo-progs (cjpeg, for the two cases PIL's
encoder cannot write: 4:4:0 sampling and restart markers):

    apt-get install -y python3-pil python3-numpy libjpeg-turbo-progs
    /usr/bin/python3 testdata/jpeg/gen_jpeg.py

Sources are the lossless test images of testdata/images (COCO val2017 #39769,
CC BY 4.0; scikit-image samples, CC0 / public domain), cropped and scaled to odd
sizes so that partial MCUs at the right and bottom edges matter.

For every NAME.jpg it writes NAME.rgb.png, PIL's decode
(Image.open(NAME.jpg).convert("RGB"), stored as PNG because that is lossless
and small), and records in manifest.json the sampling factors, progressive
flag, size, the SHA-256 of both files, and the SHA-256 of PIL's resize of that
RGB to 224x224 and 256x256 with Image.BICUBIC (antialiased) as channel-first
uint8 bytes [3,N,N]: the resized_raw of transformers' SiglipImageProcessorPil
and the body of `siglip preprocess --out X.npy`. The resized arrays are kept as
digests only (as PNGs they were 1.8 MB); tests read everything with Go, no
python at test time.
A run over an existing set rewrites identical bytes.
"""
import hashlib
import json
import os
import subprocess
import tempfile

import numpy as np
import PIL
from PIL import Image, features

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "images")


def source(name, w, h, box=None):
    """A source image of size (w, h): optionally cropped to box, then resized with LANCZOS."""
    im = Image.open(os.path.join(SRC, name)).convert("RGB")
    if box:
        im = im.crop(box)
    return im.resize((w, h), Image.LANCZOS)


# name: (source image, size, crop box, how to encode)
# how: ("pil", save kwargs) or ("cjpeg", cjpeg arguments); mode "L" makes a greyscale source.
CASES = [
    ("coco_420_q90_151x99", ("coco_39769.png", (151, 99), (20, 30, 620, 430)), ("pil", dict(quality=90, subsampling=2))),
    ("chelsea_422_q85_149x101", ("skimage_chelsea.png", (149, 101), None), ("pil", dict(quality=85, subsampling=1))),
    ("astronaut_444_q95_147x97", ("skimage_astronaut.png", (147, 97), (0, 60, 512, 400)), ("pil", dict(quality=95, subsampling=0))),
    ("coffee_440_q80_151x103", ("skimage_coffee.png", (151, 103), None), ("cjpeg", ["-quality", "80", "-sample", "1x2,1x1,1x1"])),
    ("coco_420_prog_q75_153x99", ("coco_39769.png", (153, 99), (100, 0, 640, 360)), ("pil", dict(quality=75, subsampling=2, progressive=True))),
    ("rocket_422_prog_q90_101x151", ("skimage_rocket.png", (101, 151), (100, 0, 327, 340)), ("pil", dict(quality=90, subsampling=1, progressive=True))),
    ("chelsea_444_prog_q92_125x85", ("skimage_chelsea.png", (125, 85), None), ("pil", dict(quality=92, subsampling=0, progressive=True, optimize=True))),
    ("coffee_440_prog_q85_101x77", ("skimage_coffee.png", (101, 77), None), ("cjpeg", ["-quality", "85", "-sample", "1x2,1x1,1x1", "-progressive"])),
    ("astronaut_gray_q90_151x99", ("skimage_astronaut.png", (151, 99), (0, 0, 512, 340), "L"), ("pil", dict(quality=90))),
    ("coco_gray_prog_q80_89x65", ("coco_39769.png", (89, 65), None, "L"), ("pil", dict(quality=80, progressive=True))),
    ("rocket_420_restart_q88_117x79", ("skimage_rocket.png", (117, 79), (0, 100, 427, 388)), ("cjpeg", ["-quality", "88", "-sample", "2x2,1x1,1x1", "-restart", "3"])),
    ("coco_444_q100_97x61", ("coco_39769.png", (97, 61), (300, 200, 460, 300)), ("pil", dict(quality=100, subsampling=0))),
    ("chelsea_420_q60_17x13", ("skimage_chelsea.png", (17, 13), (100, 50, 250, 160)), ("pil", dict(quality=60, subsampling=2))),
    # Chroma planes of 1-2 samples: libjpeg replicates instead of filtering.
    ("chelsea_420_q90_3x5", ("skimage_chelsea.png", (3, 5), (150, 80, 170, 110)), ("pil", dict(quality=90, subsampling=2))),
    ("coffee_422_q90_4x7", ("skimage_coffee.png", (4, 7), (200, 100, 230, 150)), ("pil", dict(quality=90, subsampling=1))),
    ("coco_440_q90_2x9", ("coco_39769.png", (2, 9), (300, 100, 310, 150)), ("cjpeg", ["-quality", "90", "-sample", "1x2,1x1,1x1"])),
    ("rocket_420_prog_q90_1x1", ("skimage_rocket.png", (1, 1), (200, 200, 210, 210)), ("pil", dict(quality=90, subsampling=2, progressive=True))),
    ("astronaut_420_prog_q70_255x33", ("skimage_astronaut.png", (255, 33), (0, 100, 512, 170)), ("pil", dict(quality=70, subsampling=2, progressive=True))),
]


def encode(path, im, how):
    kind, arg = how
    if kind == "pil":
        im.save(path, "JPEG", **arg)
        return
    with tempfile.NamedTemporaryFile(suffix=".pnm") as tmp:
        im.save(tmp.name, "PPM" if im.mode == "RGB" else "PPM")
        with open(path, "wb") as f:
            subprocess.run(["cjpeg", *arg, tmp.name], stdout=f, check=True)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    cjpeg = subprocess.run(["cjpeg", "-version"], capture_output=True, text=True).stderr.strip()
    manifest = {"pil": PIL.__version__, "libjpeg": features.version("jpg"),
                "libjpeg_turbo": features.check_feature("libjpeg_turbo"), "cjpeg": cjpeg,
                "resample": "BICUBIC", "sizes": [224, 256], "images": []}
    for name, src, how in CASES:
        srcname, (w, h), box = src[:3]
        im = source(srcname, w, h, box)
        if len(src) > 3:
            im = im.convert(src[3])
        jpg = os.path.join(HERE, name + ".jpg")
        encode(jpg, im, how)
        dec = Image.open(jpg)
        entry = {"name": name, "source": srcname, "width": dec.width, "height": dec.height, "mode": dec.mode,
                 "sampling": [list(c[1:3]) for c in getattr(dec, "layer", [])],
                 "progressive": bool(dec.info.get("progressive") or dec.info.get("progression")),
                 "encoder": how[0] if how[0] == "cjpeg" else "pil", "encoder_args": how[1],
                 "files": {}}
        rgb = dec.convert("RGB")
        p = os.path.join(HERE, f"{name}.rgb.png")
        rgb.save(p, optimize=True)
        assert np.array_equal(np.asarray(Image.open(p).convert("RGB")), np.asarray(rgb)), p
        for f in (name + ".jpg", name + ".rgb.png"):
            entry["files"][f] = sha(os.path.join(HERE, f))
        entry["resized_sha256"] = {}
        for s in manifest["sizes"]:
            chw = np.ascontiguousarray(np.asarray(rgb.resize((s, s), Image.BICUBIC)).transpose(2, 0, 1))
            entry["resized_sha256"][str(s)] = hashlib.sha256(chw.tobytes()).hexdigest()
        manifest["images"].append(entry)
        print(name, dec.size, dec.mode, entry["sampling"], "progressive" if entry["progressive"] else "baseline")
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
