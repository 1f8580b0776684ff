#!/usr/bin/env python3
"""Tokenizer fixtures for distilj, made by the real Hugging Face tokenizer (the Rust `tokenizers` behind
BertTokenizerFast).

Writes
  src/main/resources/distilj/tokenizer/bert-chars.txt   the character classes the Rust BertNormalizer and
        BertPreTokenizer use, read off the real library code point by code point (its Unicode tables are
        frozen at an older Unicode version than any JDK's, so the product ships them instead of trusting
        java.lang.Character);
  src/test/resources/fixtures/tokenizer/rotten_tomatoes_ids.jsonl.gz   ids of all 10,662 sentences (uncased);
  src/test/resources/fixtures/tokenizer/hard.json.gz    a hard set: texts, ids and tokens, uncased and cased,
        plus sentence pairs with truncation;
  src/test/resources/fixtures/tokenizer/codepoints.json  per block of 4096 code points, a sha256 of what the
        normalizer + pre-tokenizer make of every code point (uncased and cased): an exhaustive check.

Run from the repository root with the pinned stack (scripts/python-env.sh):
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/make_tokenizer_fixtures.py [--shared ../shared]
"""
import argparse, gzip, hashlib, json, os, sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
import tokenizers, transformers
from tokenizers import normalizers, pre_tokenizers

assert tokenizers.__version__ == "0.23.3", tokenizers.__version__
assert transformers.__version__ == "5.24.0", transformers.__version__
from transformers import BertTokenizerFast

ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
args = ap.parse_args()
root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
model_dir = os.path.join(args.shared, "models", "distilbert-base-uncased")
fix = os.path.join(root, "src", "test", "resources", "fixtures", "tokenizer")
os.makedirs(fix, exist_ok=True)

uncased = BertTokenizerFast.from_pretrained(model_dir)
# As a model folder whose tokenizer_config.json says "do_lower_case": false loads (same vocabulary, for the test).
cased = BertTokenizerFast.from_pretrained(model_dir, do_lower_case=False)
for t in (uncased, cased):
    assert t.backend_tokenizer.get_vocab_size() == 30522, t.backend_tokenizer.get_vocab_size()
print("uncased:", uncased.backend_tokenizer.normalizer, file=sys.stderr)
print("cased:  ", cased.backend_tokenizer.normalizer, file=sys.stderr)

# ---------------------------------------------------------------------------------------------------------
# 1. Character classes, read off the real normalizer / pre-tokenizer for every code point.
N = normalizers.BertNormalizer
clean = N(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
chinese = N(clean_text=False, handle_chinese_chars=True, strip_accents=False, lowercase=False)
strip = N(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
lower = N(clean_text=False, handle_chinese_chars=False, strip_accents=False, lowercase=True)
pretok = pre_tokenizers.BertPreTokenizer()

def ranges(cps):
    out = []
    for c in cps:
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out

classes = {"control": [], "whitespace": [], "punctuation": [], "chinese": [], "mark": [], "decomposes": []}
lowercase = []
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF:
        continue  # not representable in Rust strings (nor in well-formed UTF-16 text)
    c = chr(cp)
    r = clean.normalize_str(c)
    if r == "":
        classes["control"].append(cp)
    pieces = [p for p, _ in pretok.pre_tokenize_str("a" + c + "b")]
    if pieces == ["a", "b"]:
        classes["whitespace"].append(cp)
    elif pieces == ["a", c, "b"]:
        classes["punctuation"].append(cp)
    else:
        assert pieces == ["a" + c + "b"], (hex(cp), pieces)
    if r not in ("", c):
        # clean_text maps a whitespace char to ' ': check it is one the pre-tokenizer splits on
        assert r == " " and cp in classes["whitespace"], hex(cp)
    if chinese.normalize_str(c) == " " + c + " ":
        classes["chinese"].append(cp)
    # strip_accents = NFD, then drop nonspacing marks (Mn). A mark alone decomposes to itself (or to marks).
    # "decomposes": NFD changes c (the library's Unicode tables are older than the JDK's: e.g. U+11938 does not).
    st = strip.normalize_str(c)
    if st == "":
        classes["mark"].append(cp)
    elif st != c:
        classes["decomposes"].append(cp)
    l = lower.normalize_str(c)
    if l != c:
        lowercase.append((cp, l))

res = os.path.join(root, "src", "main", "resources", "distilj", "tokenizer")
os.makedirs(res, exist_ok=True)
with open(os.path.join(res, "bert-chars.txt"), "w", encoding="utf-8", newline="\n") as f:
    f.write("# Character classes of the Hugging Face BERT normalizer and pre-tokenizer (Rust tokenizers %s),\n"
            "# read off the library for every code point by scripts/make_tokenizer_fixtures.py. Do not edit.\n"
            "# <class> <first> <last>  (hex, inclusive)   or   lower <code point> <lowercase code points...>\n"
            % tokenizers.__version__)
    for name, cps in classes.items():
        for a, b in ranges(cps):
            f.write("%s %X %X\n" % (name, a, b))
    for cp, l in lowercase:
        f.write("lower %X %s\n" % (cp, " ".join("%X" % ord(x) for x in l)))
print({k: (len(v), len(ranges(v))) for k, v in classes.items()}, "lower", len(lowercase), file=sys.stderr)

# Exhaustive check: what the full normalizer + pre-tokenizer make of "a" + c + "b", per block of code points.
def codepoint_hashes(tok):
    norm, pre = tok.backend_tokenizer.normalizer, tok.backend_tokenizer.pre_tokenizer
    blocks = []
    for block in range(0, 0x110000, 4096):
        h = hashlib.sha256()
        for cp in range(block, block + 4096):
            if 0xD800 <= cp <= 0xDFFF:
                continue
            pieces = [p for p, _ in pre.pre_tokenize_str(norm.normalize_str("a" + chr(cp) + "b"))]
            h.update(("%X:%s\n" % (cp, "|".join(" ".join("%X" % ord(x) for x in p) for p in pieces))).encode())
        blocks.append(h.hexdigest())
    return blocks

with open(os.path.join(fix, "codepoints.json"), "w") as f:
    json.dump({"line": "HEX(cp) ':' pieces of pretokenize(normalize('a'+cp+'b')), each as space-separated HEX code "
                       "points, joined by '|', then newline; sha256 per block of 4096 code points (surrogates skipped)",
               "uncased": codepoint_hashes(uncased), "cased": codepoint_hashes(cased)}, f, indent=0)

# ---------------------------------------------------------------------------------------------------------
# 2. rotten_tomatoes, built as the Hugging Face dataset builds it (see ../shared/README.md), in split order.
def read_lines(path):
    with open(path, encoding="latin-1") as f:  # text mode: universal newlines
        return [line.strip() for line in f]

rt = os.path.join(args.shared, "data", "rotten_tomatoes")
pos, neg = read_lines(os.path.join(rt, "rt-polarity.pos")), read_lines(os.path.join(rt, "rt-polarity.neg"))
i1, i2 = int(len(pos) * 0.8 + 0.5), int(len(pos) * 0.9 + 0.5)
texts = pos[:i1] + neg[:i1] + pos[i1:i2] + neg[i1:i2] + pos[i2:] + neg[i2:]
assert len(texts) == 10662
ids = uncased(texts, truncation=True)["input_ids"]
with gzip.GzipFile(os.path.join(fix, "rotten_tomatoes_ids.jsonl.gz"), "wb", mtime=0) as f:
    f.write(json.dumps({"order": "train, validation, test; each pos then neg",
                        "texts_sha256": hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest(),
                        "count": len(texts)}).encode() + b"\n")
    for row in ids:
        f.write((json.dumps(row, separators=(",", ":")) + "\n").encode())

# ---------------------------------------------------------------------------------------------------------
# 3. The hard set: hand-written cases, then random mixtures.
long_word = "supercalifragilistic" * 5           # exactly 100 characters: still WordPiece'd
too_long = long_word + "x"                       # 101 characters: [UNK]
hard = [
    "", " ", "   \t\n  ", "\n", "\u3000\u00a0\u2003",
    "Hello, this text will be tokenized!",
    "Café naïve résumé façade jalapeño Ångström Øresund ß straße",
    "ÀÉÎÕÜ àéîõü Ñ ñ Ç ç", "e\u0301 a\u0308 combining marks \u0300\u0301 alone",
    "İstanbul ΣΑΣ σας ΌΣΟΣ Ǆ ǅ ǆ ﬁ ﬀ ẞ",
    "中文分词测试，你好世界！", "日本語のテキスト、カタカナ、ひらがな。", "한국어 텍스트입니다", "漢字𠀋𠀀𪜀 mixed 中文 text",
    "emoji 😀😂👍🏽 👨‍👩‍👧 🇺🇸 ❤️ ✨ 🥺 🫠", "a\u200bb\u200cc\u200dd\u2060e\ufeff f",
    "ctrl \x00\x01\x07\x08\x0b\x0c\x0e\x1f\x7f\x80\x85\x9f end", "tab\there\r\nnewline\rcr",
    "\ufffd replacement \ufffd", "private \ue000\uf8ff \U000f0000 use",
    "ＦＵＬＬＷＩＤＴＨ ｆｏｒｍｓ １２３ ！？（）", "½ ² ① ™ ℃ № ㈱ ㍻",
    "punct: “quotes” ‘single’ « guillemets » — dash – ‐ … · ¿¡ § ¶ † ‡ • ※ ‰",
    "symbols $ + < = > ^ ` | ~ © ® ° ± × ÷ € £ ¥ ¢",
    "don't won't it's -- ... ?!? (parens) [brackets] {braces} @user #tag http://x.y/z?a=b&c=d",
    "[CLS] [SEP] [MASK] [PAD] [UNK] [cls] [ MASK ] x[MASK]y [[MASK]]",
    long_word, too_long, "a " + too_long + " b", "unaffable unbelievable antidisestablishmentarianism",
    "Thai ภาษาไทย Hindi हिन्दी Arabic العربية Hebrew עברית Russian Русский текст",
    "ᚠᛇᚻ ᎣᏏᏲ ꦗꦮ 𐌰𐌱 𝐀𝐁𝐂 𝔸𝔹 𝕒𝕓",
    "numbers 3.14159 1,000,000 42nd 1st 2nd 3rd 10x",
    "\u1680ogham\u2028line\u2029para\u202fnarrow\u205fmath",
    "soft\u00adhyphen bidi\u202aembed\u202c arabic\u061cmark mongolian\u180evowel",
    "Ǳ ǲ ǳ ĳ Ĳ ŉ ſ ǰ ΐ ΰ և ﬓ",
    "x" * 200 + " " + "ab" * 80,
    " ".join(["word"] * 600),
    " ".join(["tokenization", "is", "fun", "!"] * 150),
    "the quick brown fox " * 130,
]
# ... and random texts mixing all of the above (a fixed seed: the same file every run).
import random
rng = random.Random(20261126)
pools = [
    "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "      ", "\t\n\r",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "[CLS][SEP][MASK][UNK][PAD]", "àáâãäåæçèéêëìíîïñòóôõöøùúûüýþÿßÀÉÎÕÜÇÑ",
    "\u0300\u0301\u0302\u0303\u0308\u0327\u0316\u0345\u20dd", "αβγδεζηθΣΌΐΰ", "абвгдежзийклмнЖЩЯ",
    "中文日本語漢字你好世界", "ひらがなカタカナ", "한국어", "😀😂👍🏽👨‍👩‍👧🇺🇸❤️✨🥺🫠",
    "\x00\x01\x07\x0b\x0c\x1f\x7f\x85\xa0\xad\u200b\u200c\u200d\u2060\ufeff\ufffd\ue000",
    "ＦＵＬＬｗｉｄｔｈ１２３！？（）", "½²①™℃№ﬁﬀİıǅ", "“”‘’«»—–…·¿¡§¶†‡•※",
]
def random_text():
    out = []
    for _ in range(rng.randint(1, 60)):
        r = rng.random()
        if r < 0.55:
            out.append("".join(rng.choice(pools[0]) for _ in range(rng.randint(1, 12))))
        elif r < 0.57:
            out.append(rng.choice(["[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]", "[mask]"]))
        elif r < 0.9:
            out.append(rng.choice(rng.choice(pools)))
        elif r < 0.95:
            out.append(chr(rng.randint(0x80, 0xD7FF)))
        else:
            out.append(chr(rng.randint(0x10000, 0x10FFFF)))
        out.append(rng.choice(["", " ", " ", " ", "\n"]))
    return "".join(out)
hard += [random_text() for _ in range(400)]
for s in hard:
    s.encode("utf-8")  # well-formed: no lone surrogates

def run(tok, texts):
    enc = tok(texts, truncation=True)
    return [{"text": t, "ids": i, "tokens": tok.tokenize(t)} for t, i in zip(texts, enc["input_ids"])]

pairs = [["Hello, world!", "How are you?"], ["", "only b"], ["only a", ""],
         [" ".join(["alpha"] * 400), " ".join(["beta"] * 300)], [" ".join(["alpha"] * 100), " ".join(["beta"] * 500)],
         [" ".join(["alpha"] * 700), "short"], ["short", " ".join(["beta"] * 700)],
         [" ".join(["a"] * 255), " ".join(["b"] * 256)], [" ".join(["a"] * 300), " ".join(["b"] * 300)],
         [" ".join(["a"] * 301), " ".join(["b"] * 300)]]
penc = uncased([p[0] for p in pairs], [p[1] for p in pairs], truncation=True)
with gzip.GzipFile(os.path.join(fix, "hard.json.gz"), "wb", mtime=0) as f:
    f.write(json.dumps({"versions": {"tokenizers": tokenizers.__version__, "transformers": transformers.__version__},
               "uncased": run(uncased, hard), "cased": run(cased, hard),
               "pairs": [{"a": a, "b": b, "ids": i} for (a, b), i in zip(pairs, penc["input_ids"])]},
              ensure_ascii=True).encode())
print("wrote", fix, "and", res, file=sys.stderr)
