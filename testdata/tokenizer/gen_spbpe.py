#!/usr/bin/python3
"""SentencePiece BPE models (tokenizer.model as Gemma / SigLIP 2 ship it) and their goldens.

Run from the repository root with Debian 12's sentencepiece 0.1.97 (apt-get install
python3-sentencepiece): /usr/bin/python3 testdata/tokenizer/gen_spbpe.py

It trains two small BPE models with byte fallback on Debian's licence texts
(/usr/share/common-licenses) and writes, for each, the ids and pieces that sentencepiece
itself produces (the reference: not our code) on the golden strings:
  gemma-like: identity normalizer, no dummy prefix, spaces kept (Gemma's normalizer_spec),
              pad/eos/bos/unk = 0/1/2/3 named as Gemma's, user-defined symbols;
  nfkc:       nmt_nfkc normalizer, dummy prefix, extra whitespace removed (the defaults).
  edited:     spbpe3k's protobuf edited (python3-protobuf 3.21) to reach paths training never
              writes: scores rounded down to multiples of 256 (many equal scores: the leftmost pair must
              win), the character piece "v" renamed "<no-v>" (pieces containing v are then reached
              through a character that is no piece). (A single-character CONTROL piece is left out:
              sentencepiece 0.1.97 returns no ids at all for a text containing it.)
Training with one thread and a fixed input order makes the models reproducible here.
"""
import glob, hashlib, json, os
import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))

MODELS = {
    "spbpe3k": dict(vocab_size=3000, normalization_rule_name="identity", add_dummy_prefix=False,
                    remove_extra_whitespaces=False, allow_whitespace_only_pieces=True, split_digits=True,
                    pad_id=0, eos_id=1, bos_id=2, unk_id=3, pad_piece="<pad>", eos_piece="<eos>",
                    bos_piece="<bos>", unk_piece="<unk>",
                    user_defined_symbols=["<start_of_turn>", "<end_of_turn>", "<mask>", "\n\n", "▁▁▁▁"]),
    "spbpe1k": dict(vocab_size=1000),
}

# The strings of the other tokenizer goldens, plus BPE-specific ones.
STRINGS = json.load(open(os.path.join(HERE, "tokens_gemma3.json"), encoding="utf-8"))["strings"]
EXTRA = [
    "<start_of_turn>user\nhi<end_of_turn>", "<START_OF_TURN> <mask><mask>x<mask>",
    "para one\n\npara two\n\n\nthree", "    four spaces and        eight", "\t\t\ttabs",
    "\x00nul \x07bell \x7fdel", "\ufffd replacement \uffff nonchar \ue000 private", "e\u0301 combining a\u0308",
    "İstanbul ΣΊΣΥΦΟΣ ß ẞ", "Ǆemal ǅ ǆ", "0123456789 0.5 -7 1e10 ٣٤٥ ５６", "redistributions" * 8,
    "LICENSE GNU GENERAL PUBLIC LICENSE Version 3", "copyright (c) 2007 free software foundation, inc.",
    "👩‍👩‍👧‍👦 🇫🇷 🏳️‍🌈", "한국어 텍스트 ไทย हिन्दी عربى", "a\u3000b\u2028c\u2029d\u0085e",
]
for s in EXTRA:
    if s not in STRINGS:
        STRINGS.append(s)


def lower_chars(s):
    # tokenizers' Lowercase normalizer (Rust char::to_lowercase per character, no Final_Sigma):
    # the SigLIP 2 pipeline's first step. Python's per-character str.lower agrees with it.
    return "".join(c.lower() for c in s)


def train(name, opts):
    files = sorted(glob.glob("/usr/share/common-licenses/*"))
    files = [f for f in files if os.path.isfile(f)]
    # A fixed directory: the trainer records its input and output paths in the model.
    d = "/tmp/siglip-spbpe-train"
    os.makedirs(d, exist_ok=True)
    if True:
        corpus = os.path.join(d, "corpus.txt")
        with open(corpus, "w", encoding="utf-8") as out:
            for f in files:
                out.write(open(f, encoding="utf-8", errors="replace").read())
        prefix = os.path.join(d, name)
        spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, model_type="bpe", byte_fallback=True,
                                       character_coverage=0.9995, num_threads=1, shuffle_input_sentence=False,
                                       minloglevel=2, **opts)
        model = open(prefix + ".model", "rb").read()
    path = os.path.join(HERE, name + "-bpe.model")
    open(path, "wb").write(model)
    return path, files


def goldens(name, path, files):
    sp = spm.SentencePieceProcessor(model_file=path)
    eos = sp.eos_id()
    pad = sp.pad_id() if sp.pad_id() >= 0 else eos  # no pad piece: pad with eos, as SigLIP does
    res = {
        "reference": f"sentencepiece {spm.__version__} (Debian 12 python3-sentencepiece), SentencePieceProcessor.encode",
        "model": os.path.basename(path),
        "model_sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
        "trained_on": [os.path.basename(f) for f in files],
        "spm_piece_size": sp.get_piece_size(),
        "special_ids": {"pad": pad, "eos": eos, "bos": sp.bos_id(), "unk": sp.unk_id()},
        "strings": STRINGS,
        "variants": {
            "spm_raw": [sp.encode(s) for s in STRINGS],
            "spm_raw_pieces": [sp.encode(s, out_type=str) for s in STRINGS],
            # SigLIP 2's pipeline on a tokenizer.model: lowercase, sentencepiece, eos appended;
            # then cut to 63 ids + eos and padded to 64 (truncation=True, padding="max_length").
            "siglip2_no_padding": [sp.encode(lower_chars(s)) + [eos] for s in STRINGS],
            "siglip2_max_length_64": [],
        },
    }
    for s in STRINGS:
        x = sp.encode(lower_chars(s))[:63] + [eos]
        res["variants"]["siglip2_max_length_64"].append(x + [pad] * (64 - len(x)))
    with open(os.path.join(HERE, f"tokens_{name}.json"), "w", encoding="utf-8") as f:
        json.dump(res, f, ensure_ascii=False, indent=0)
        f.write("\n")


def edit(src, name):
    from sentencepiece import sentencepiece_model_pb2 as pb
    m = pb.ModelProto()
    m.ParseFromString(open(src, "rb").read())
    for p in m.pieces:
        if p.type == pb.ModelProto.SentencePiece.NORMAL:
            p.score = float(int(p.score) // 256 * 256)
        if p.piece == "v":
            p.piece = "<no-v>"
    path = os.path.join(HERE, name + "-bpe.model")
    open(path, "wb").write(m.SerializeToString())
    return path


for name, opts in MODELS.items():
    path, files = train(name, opts)
    goldens(name, path, files)
    print(name, os.path.getsize(path), "bytes")
path = edit(os.path.join(HERE, "spbpe3k-bpe.model"), "spbpe3k-edited")
goldens("spbpe3k-edited", path, files)
print("spbpe3k-edited", os.path.getsize(path), "bytes")
