#!/usr/bin/python3
"""PIL bilinear references for imageproc (SigLIP 2's resample = 2).

Run from the repository root with Debian 12's python3-pil (Pillow 9.4.0) and
python3-numpy (1.24.2): /usr/bin/python3 testdata/images/gen_bilinear.py
It rewrites testdata/images/pil_bilinear.json identically.

For every lossless PNG of images/meta.json and N in 224, 256, 384:
  resized   SHA-256 of Image.open(f).convert("RGB").resize((N, N), Image.BILINEAR)
            as channel-first uint8 bytes [3,N,N] (transformers' resized_raw)
  pixels    SHA-256 of the float32 little-endian [3,N,N] pixel values under each
            normalisation below, with transformers' image_transforms arithmetic:
            rescale = float32(float64(u8) * rescale_factor);
            normalize = (x - float32(mean_c)) / float32(std_c) in float32
            (an integer image is first cast to float32 when do_rescale is false).
Digests, not arrays: the arrays are 10 MB; the Go test recomputes them and
compares hashes, so one differing byte fails.
"""
import hashlib, json, os
import numpy as np
from PIL import Image

D = "testdata/images"
NORMS = {
    "siglip": dict(do_rescale=True, rescale_factor=1 / 255, do_normalize=True, mean=[0.5] * 3, std=[0.5] * 3),
    "imagenet": dict(do_rescale=True, rescale_factor=0.00392156862745098, do_normalize=True,
                     mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    "no_rescale": dict(do_rescale=False, rescale_factor=1 / 255, do_normalize=True, mean=[127.5] * 3, std=[127.5] * 3),
    "no_normalize": dict(do_rescale=True, rescale_factor=1 / 255, do_normalize=False, mean=[0.5] * 3, std=[0.5] * 3),
}


def pixels(chw_u8, n):
    x = chw_u8
    if n["do_rescale"]:
        x = (x.astype(np.float64) * n["rescale_factor"]).astype(np.float32)
    if n["do_normalize"]:
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float32)
        mean = np.array(n["mean"], dtype=x.dtype)[:, None, None]
        std = np.array(n["std"], dtype=x.dtype)[:, None, None]
        x = (x - mean) / std
    return np.ascontiguousarray(x.astype("<f4"))


def main():
    meta = json.load(open(os.path.join(D, "meta.json")))
    out = {"generator": "testdata/images/gen_bilinear.py", "pillow": Image.__version__, "numpy": np.__version__,
           "normalisations": NORMS, "images": {}}
    for f in meta["images"]:
        if not f.endswith(".png"):
            continue
        rgb = Image.open(os.path.join(D, f)).convert("RGB")
        per = {}
        for n in (224, 256, 384):
            r = np.asarray(rgb.resize((n, n), Image.BILINEAR)).transpose(2, 0, 1)
            r = np.ascontiguousarray(r)
            per[str(n)] = {"resized": hashlib.sha256(r.tobytes()).hexdigest(),
                           "pixels": {k: hashlib.sha256(pixels(r, v).tobytes()).hexdigest() for k, v in NORMS.items()}}
        out["images"][f] = per
    with open(os.path.join(D, "pil_bilinear.json"), "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
        fh.write("\n")


main()
