#!/usr/bin/env python3
"""The Hugging Face side of the tokenizer benchmark (see benchmarks/tokenizer-bench.sh).

The Rust fast tokenizer (tokenizers, the backend of BertTokenizerFast) on one thread, on all 10,662 rotten_tomatoes
sentences, read from the Cornell files embedded in distilj (same split rules as the Hugging Face dataset). Three ways:
  encode          one Tokenizer.encode call per sentence (a Python loop: what per-row code does),
  encode_batch    one call for all sentences (RAYON_NUM_THREADS=1: no parallelism),
  encode_batch_fast  the same without offsets tracking.
Prints one JSON object: tokens per pass and the best seconds per pass of each way.
"""
import argparse, json, os, sys, time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
import tokenizers  # noqa: E402
import transformers  # noqa: E402
from transformers import BertTokenizerFast  # noqa: E402

PINNED = {"tokenizers": "0.23.3", "transformers": "5.24.0"}


def sentences(root):
    d = os.path.join(root, "src", "main", "resources", "distilj", "data", "rotten_tomatoes")
    out = []
    for f in ("rt-polarity.pos", "rt-polarity.neg"):
        with open(os.path.join(d, f), encoding="latin-1") as fh:
            out += [line.strip() for line in fh]
    return out  # (order does not matter for speed: every sentence once)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="folder with vocab.txt and tokenizer_config.json")
    ap.add_argument("--seconds", type=float, default=20.0, help="measuring time per way")
    a = ap.parse_args()
    got = {"tokenizers": tokenizers.__version__, "transformers": transformers.__version__}
    if got != PINNED:
        sys.exit(f"tokenizer_bench_hf.py is pinned to {PINNED}, found {got}: run scripts/python-env.sh")
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    texts = sentences(root)
    tok = BertTokenizerFast.from_pretrained(a.model).backend_tokenizer
    tok.no_padding()
    tok.enable_truncation(512)
    tokens = sum(len(e.ids) for e in tok.encode_batch(texts))

    def per_sentence():
        for t in texts:
            tok.encode(t)

    ways = {"encode": per_sentence, "encode_batch": lambda: tok.encode_batch(texts),
            "encode_batch_fast": lambda: tok.encode_batch_fast(texts)}
    result = {"versions": got, "sentences": len(texts), "tokens_per_pass": tokens, "seconds_per_pass": {}}
    for name, fn in ways.items():
        for _ in range(3):
            fn()  # warm-up
        best, t_end = float("inf"), time.perf_counter() + a.seconds
        while time.perf_counter() < t_end:
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        result["seconds_per_pass"][name] = best
        print(f"hf {name}: {best * 1e3:.1f} ms/pass, {tokens / best / 1e6:.2f} M tokens/s", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
